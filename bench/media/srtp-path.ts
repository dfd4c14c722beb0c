/**
 * CPU per packet of the engine's WebRTC leg, werift's per-packet path against Kefu's SRTP path
 * (`node --import tsx bench/media/srtp-path.ts [--packets=20000]`, prints one JSON object).
 *
 * One process, real sockets on 127.0.0.1: a werift peer P (always on Kefu's SRTP path, so its cost
 * is the same in both modes) ⇄ engine WebRTC endpoint A ⇄ bridge ⇄ engine RTP endpoint R ⇄ plain
 * UDP socket S. Each direction sends K packets as fast as the loop allows (one per setImmediate)
 * and counts the process CPU until the last one arrives: the figure is CPU time, not wall time,
 * so it moves little with machine load (timer ticks of an idle leg are not in it).
 * Also: the SRTP protect/unprotect micro-cost of werift's SrtpSession and of Kefu's SrtpContext.
 */
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { loadavg } from 'node:os';
import { MediaStreamTrack, RTCPeerConnection, RTCRtpCodecParameters, RtpHeader, SrtpSession as WeriftSrtp, type RTCRtpTransceiver } from 'werift';
import { MediaCore } from '../../packages/media/src/engine/media-core.ts';
import { serializeRtp } from '../../packages/media/src/rtp/rtp-packet.ts';
import { waitFor } from '../../packages/media/src/testing/index.ts';
import { SrtpMediaPath } from '../../packages/media/src/webrtc/srtp-media-path.ts';
import { SRTP_AEAD_AES_128_GCM, SRTP_AES128_CM_HMAC_SHA1_80, SrtpContext } from '../../packages/media/src/webrtc/srtp.ts';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const K = Number(args.get('packets') ?? 20000);
const cpuUs = (c: NodeJS.CpuUsage) => c.user + c.system;

async function leg(fast: boolean) {
  const core = new MediaCore({ bindAddress: '127.0.0.1' });
  const { id } = await core.createWebRtcEndpoint({ fastSrtp: fast });
  const r = await core.createRtpEndpoint();
  const s = createSocket('udp4');
  await new Promise<void>((res) => s.bind(0, '127.0.0.1', () => res()));
  let atS = 0;
  s.on('message', () => atS++);
  core.configureRtp(r.id, { address: '127.0.0.1', port: s.address().port }, { codec: 'PCMU' });
  core.bridge(id, r.id);
  const pc = new RTCPeerConnection({
    codecs: { audio: [new RTCRtpCodecParameters({ mimeType: 'audio/PCMU', clockRate: 8000, channels: 1, payloadType: 0 })], video: [] },
    headerExtensions: { audio: [], video: [] },
    iceInterfaceAddresses: { udp4: '127.0.0.1' },
    iceAdditionalHostAddresses: ['127.0.0.1'],
  });
  const tr: RTCRtpTransceiver = pc.addTransceiver(new MediaStreamTrack({ kind: 'audio' }), { direction: 'sendrecv' });
  let atP = 0;
  let peer: SrtpMediaPath | undefined;
  pc.connectionStateChange.subscribe((st) => {
    if (st === 'connected' && !peer && tr.dtlsTransport) peer = SrtpMediaPath.attach(tr.dtlsTransport, () => atP++);
  });
  await pc.setLocalDescription(await pc.createOffer());
  await waitFor(() => pc.iceGatheringState === 'complete', 5000, 'gathering');
  await pc.setRemoteDescription({ type: 'answer', sdp: await core.webrtcAnswer(id, pc.localDescription!.sdp) });
  await waitFor(() => peer !== undefined, 10_000, 'peer connected');
  await new Promise((res) => setTimeout(res, 300));
  const payload = Buffer.alloc(160, 0xff);

  // P → A → R → S
  const burst = async (send: (i: number) => void, arrived: () => number) => {
    const start = arrived();
    const c0 = process.cpuUsage();
    for (let i = 0; i < K; i++) {
      send(i);
      if (i % 4 === 3) await new Promise((res) => setImmediate(res));
    }
    await waitFor(() => arrived() - start >= K * 0.99, 30_000, 'packets through');
    const got = arrived() - start;
    return { usPerPacket: Math.round((100 * cpuUs(process.cpuUsage(c0))) / got) / 100, delivered: got };
  };
  const ssrc = tr.sender.ssrc;
  const toEngine = await burst((i) => peer!.sendRtp(serializeRtp({ payloadType: 0, marker: false, sequenceNumber: i & 0xffff, timestamp: i * 160, ssrc, payload })), () => atS);
  // S → R → A → P
  const rtp = (i: number) => serializeRtp({ payloadType: 0, marker: false, sequenceNumber: i & 0xffff, timestamp: i * 160, ssrc: 777, payload });
  const port = r.port;
  const toPeer = await burst((i) => s.send(rtp(i), port, '127.0.0.1'), () => atP);
  const path = core.stats(id).srtp;
  peer?.detach();
  await pc.close();
  s.close();
  await core.close();
  return { enginePath: path, browserToPhone: toEngine, phoneToBrowser: toPeer };
}

function micro() {
  const N = 50_000;
  const out: Record<string, number> = {};
  const t = (name: string, f: () => void) => {
    for (let i = 0; i < 1000; i++) f();
    const c0 = process.cpuUsage();
    for (let i = 0; i < N; i++) f();
    out[name] = Math.round((100 * cpuUs(process.cpuUsage(c0))) / N) / 100;
  };
  const mk = randomBytes(16);
  const ms = randomBytes(14);
  for (const [name, prof, saltLen] of [['AES_CM_128_HMAC_SHA1_80', SRTP_AES128_CM_HMAC_SHA1_80, 14], ['AEAD_AES_128_GCM', SRTP_AEAD_AES_128_GCM, 12]] as const) {
    const salt = ms.subarray(0, saltLen);
    const tx = SrtpContext.fromMaster(prof, mk, salt);
    const rx = SrtpContext.fromMaster(prof, mk, salt);
    const keys = { localMasterKey: mk, localMasterSalt: salt, remoteMasterKey: mk, remoteMasterSalt: salt };
    const wtx = new WeriftSrtp({ keys, profile: prof });
    const wrx = new WeriftSrtp({ keys, profile: prof });
    const plain = Buffer.alloc(172, 0xff);
    plain[0] = 0x80;
    plain[1] = 0;
    plain.writeUInt32BE(1234, 8);
    const payload = plain.subarray(12);
    const ours: Buffer[] = [];
    const theirs: Buffer[] = [];
    let seq = 0;
    t(`kefu protect ${name}`, () => {
      plain.writeUInt16BE(seq++ & 0xffff, 2);
      ours.push(tx.protectRtp(plain));
    });
    let k = 0;
    t(`kefu unprotect ${name}`, () => void rx.unprotectRtp(ours[k++]!));
    seq = 0;
    t(`werift encrypt ${name}`, () => void theirs.push(wtx.encrypt(payload, new RtpHeader({ payloadType: 0, sequenceNumber: seq & 0xffff, timestamp: (seq++ * 160) >>> 0, ssrc: 1234 }))));
    k = 0;
    t(`werift decrypt ${name}`, () => void wrx.decrypt(theirs[k++]!));
  }
  return out;
}

const srtpMicroUs = micro();
const weriftPath = await leg(false);
const kefuPath = await leg(true);
console.log(JSON.stringify({ benchmark: 'media/srtp-path', date: new Date().toISOString(), node: process.version, packetsPerDirection: K, srtpMicroUs, weriftPath, kefuPath, loadAverage: loadavg().map((x) => Math.round(x * 100) / 100) }, null, 2));
process.exit(0);

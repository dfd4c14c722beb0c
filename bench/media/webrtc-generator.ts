/**
 * WebRTC load generator (child process): werift peer connections acting as browser softphones.
 * Each offers PCMU over DTLS-SRTP, then sends 20 ms packets carrying their send time (epoch ms)
 * and measures the transit of what it receives, like load-generator.ts does for plain RTP.
 */
import { performance } from 'node:perf_hooks';
import { MediaStreamTrack, RTCPeerConnection, RTCRtpCodecParameters, RtpHeader, RtpPacket, type RTCRtpTransceiver } from 'werift';
import { serializeRtp } from '../../packages/media/src/rtp/rtp-packet.ts';
import { SrtpMediaPath } from '../../packages/media/src/webrtc/srtp-media-path.ts';

/**
 * `--srtp=werift` keeps werift's own per-packet path in the generator; by default the generator's
 * peers use Kefu's SRTP path (like the engine) so that one generator process can offer hundreds of
 * legs. Either way the browser-facing protocol is the same DTLS-SRTP; only the CPU differs.
 */
const WERIFT_SRTP = process.argv.includes('--srtp=werift');

interface Peer {
  pc: RTCPeerConnection;
  track: MediaStreamTrack;
  tr: RTCRtpTransceiver;
  fast?: SrtpMediaPath;
  seq: number;
  ts: number;
  sent: number;
  received: number;
}

const peers: Peer[] = [];
const BIN_MS = 0.05;
const hist = new Uint32Array(40_000);
/** Measurement window in epoch ms, shared by all generator processes of a run. */
let fromEpoch = Infinity;
let untilEpoch = -Infinity;
let minTransit = Infinity;

async function offer(n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const pc = new RTCPeerConnection({
      codecs: { audio: [new RTCRtpCodecParameters({ mimeType: 'audio/PCMU', clockRate: 8000, channels: 1, payloadType: 0 })], video: [] },
      headerExtensions: { audio: [], video: [] },
      iceInterfaceAddresses: { udp4: '127.0.0.1' },
      iceAdditionalHostAddresses: ['127.0.0.1'],
    });
    const track = new MediaStreamTrack({ kind: 'audio' });
    const tr = pc.addTransceiver(track, { direction: 'sendrecv' });
    const peer: Peer = { pc, track, tr, seq: 0, ts: 0, sent: 0, received: 0 };
    const onPayload = (payload: Buffer) => {
      if (payload.length !== 160) return;
      const sentAt = payload.readDoubleBE(0);
      if (sentAt < fromEpoch || sentAt >= untilEpoch) return;
      peer.received++;
      const transit = performance.timeOrigin + performance.now() - sentAt;
      if (transit < minTransit) minTransit = transit;
      hist[Math.min(hist.length - 1, Math.max(0, Math.floor(transit / BIN_MS)))]!++;
    };
    tr.onTrack.subscribe((remote) => remote.onReceiveRtp.subscribe((rtp) => onPayload(rtp.payload)));
    if (!WERIFT_SRTP) {
      pc.connectionStateChange.subscribe((st) => {
        if (st !== 'connected' || peer.fast || !tr.dtlsTransport) return;
        // 12-byte header, no CSRCs or extensions: the payload starts at 12.
        peer.fast = SrtpMediaPath.attach(tr.dtlsTransport, (plain) => onPayload(plain.subarray(12)));
      });
    }
    await pc.setLocalDescription(await pc.createOffer());
    if (pc.iceGatheringState !== 'complete') await new Promise<void>((r) => pc.iceGatheringStateChange.subscribe((s) => s === 'complete' && r()));
    out.push(pc.localDescription!.sdp);
    peers.push(peer);
  }
  return out;
}

/** Applies answers to the peers from index `from` on (one call at a time keeps offers fresh). */
async function answer(sdps: string[], from: number): Promise<void> {
  await Promise.all(sdps.map((sdp, i) => peers[from + i]!.pc.setRemoteDescription({ type: 'answer', sdp })));
}

async function connected(): Promise<void> {
  await Promise.all(peers.map((p) => (p.pc.connectionState === 'connected' ? undefined : new Promise<void>((r) => p.pc.connectionStateChange.subscribe((s) => s === 'connected' && r())))));
}

function run(endEpoch: number): Promise<void> {
  const start = performance.now();
  let n = 0;
  return new Promise((resolve) => {
    const step = () => {
      for (const p of peers) {
        const payload = Buffer.alloc(160, 0xff);
        const at = performance.timeOrigin + performance.now();
        payload.writeDoubleBE(at, 0);
        if (p.fast) p.fast.sendRtp(serializeRtp({ payloadType: 0, marker: false, sequenceNumber: p.seq++ & 0xffff, timestamp: (p.ts += 160) >>> 0, ssrc: p.tr.sender.ssrc, payload }));
        else p.track.writeRtp(new RtpPacket(new RtpHeader({ payloadType: 0, sequenceNumber: p.seq++ & 0xffff, timestamp: (p.ts += 160) >>> 0 }), payload));
        if (at >= fromEpoch && at < untilEpoch) p.sent++;
      }
      n++;
      if (performance.timeOrigin + performance.now() >= endEpoch) return resolve();
      setTimeout(step, Math.max(0, start + (n + 1) * 20 - performance.now()));
    };
    step();
  });
}

process.on('message', async (msg: { cmd: string; n?: number; from?: number; sdps?: string[]; fromEpoch?: number; untilEpoch?: number }) => {
  if (msg.cmd === 'offer') process.send!({ sdps: await offer(msg.n!) });
  else if (msg.cmd === 'answer') {
    await answer(msg.sdps!, msg.from ?? 0);
    process.send!({ applied: true });
  } else if (msg.cmd === 'connected') {
    await connected();
    process.send!({ connected: true });
  } else if (msg.cmd === 'start') {
    fromEpoch = msg.fromEpoch!;
    untilEpoch = msg.untilEpoch!;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await run(untilEpoch + 100);
    const cpu = process.cpuUsage(cpu0);
    console.error(`[webrtc-generator] cpu ${Math.round((cpu.user + cpu.system) / 10 / (performance.now() - t0))}% of a core`);
    await new Promise((r) => setTimeout(r, 1000)); // packets in flight
    const bins: [number, number][] = [];
    hist.forEach((c, i) => c && bins.push([i, c]));
    process.send!({
      sent: peers.reduce((a, p) => a + p.sent, 0),
      received: peers.reduce((a, p) => a + p.received, 0),
      minTransitMs: minTransit,
      measuredMs: untilEpoch - fromEpoch,
      binMs: BIN_MS,
      bins,
    });
  } else if (msg.cmd === 'close') {
    await Promise.all(peers.map((p) => p.pc.close()));
    process.exit(0);
  }
});
process.send!({ ready: true });

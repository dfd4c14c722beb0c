import dgram from 'node:dgram';
import { codecs, type CodecName } from '../codec/codec.registry.ts';
import { Ticker } from '../engine/clock.ts';
import { isRtcp, parseRtp, serializeRtp, type RtpPacket } from '../rtp/rtp-packet.ts';
import { toneShare } from '../dtmf/goertzel.ts';

/**
 * A minimal RTP peer for tests: sends a sine (or given PCM) paced at 20 ms and keeps every
 * packet it receives, so a test can count packets and measure frequencies on the far side.
 */
export class RtpTestPeer {
  readonly received: RtpPacket[] = [];
  readonly rtcpReceived: Buffer[] = [];
  private ticker: Ticker | undefined;
  private finish: (() => void) | undefined;
  private seq = 1000;
  private ts = 5000;
  sentPackets = 0;
  remote: { address: string; port: number } | undefined;

  private constructor(private readonly socket: dgram.Socket, readonly port: number) {
    socket.on('message', (msg) => {
      if (isRtcp(msg)) this.rtcpReceived.push(msg);
      else {
        try {
          this.received.push(parseRtp(msg));
        } catch {
          /* not RTP */
        }
      }
    });
  }

  static async create(address = '127.0.0.1'): Promise<RtpTestPeer> {
    const s = dgram.createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, address, () => r()));
    return new RtpTestPeer(s, s.address().port);
  }

  /** Sends raw packets (e.g. replayed from a pcap). */
  sendRaw(buf: Uint8Array, remote = this.remote!): void {
    this.socket.send(buf, remote.port, remote.address);
  }

  sendPacket(p: RtpPacket, remote = this.remote!): void {
    this.sendRaw(serializeRtp(p), remote);
  }

  /** Streams `pcm` (or a sine at `freq`) for `durationMs` in `codec`, paced from a monotonic clock. */
  startSending(o: { codec: CodecName; freq?: number; pcm?: Int16Array; durationMs: number; ptimeMs?: number; amplitude?: number; ssrc?: number; payloadType?: number }): Promise<void> {
    const ptime = o.ptimeMs ?? 20;
    const n = ptime * 8;
    const total = Math.floor(o.durationMs / ptime);
    const ssrc = o.ssrc ?? 0x1234abcd;
    let i = 0;
    let sample = 0;
    return new Promise((resolve) => {
      this.finish = resolve;
      this.ticker = new Ticker(() => {
        if (i >= total) {
          this.ticker?.stop();
          resolve();
          return;
        }
        const pcm = new Int16Array(n);
        for (let k = 0; k < n; k++, sample++) {
          pcm[k] = o.pcm ? (o.pcm[sample % o.pcm.length] ?? 0) : Math.round((o.amplitude ?? 8000) * Math.sin((2 * Math.PI * (o.freq ?? 440) * sample) / 8000));
        }
        this.sendPacket({ payloadType: o.payloadType ?? codecs[o.codec].staticPayloadType, marker: i === 0, sequenceNumber: this.seq++ & 0xffff, timestamp: this.ts, ssrc, payload: codecs[o.codec].encode(pcm) });
        this.ts += n;
        this.sentPackets++;
        i++;
      }, ptime);
      this.ticker.startTicking();
    });
  }

  stopSending(): void {
    this.ticker?.stop();
    this.finish?.();
  }

  /** Received audio decoded in sequence order (packets of `payloadType`). */
  receivedPcm(codec: CodecName = 'PCMU', payloadType = codecs[codec].staticPayloadType): Int16Array {
    const pk = this.received.filter((p) => p.payloadType === payloadType);
    const parts = pk.map((p) => codecs[codec].decode(p.payload));
    const out = new Int16Array(parts.reduce((a, p) => a + p.length, 0));
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }

  /** Share of received energy at `freq` (0..1), over the middle of the stream. */
  shareAt(freq: number, codec: CodecName = 'PCMU'): number {
    return shareAt(this.receivedPcm(codec), freq);
  }

  async close(): Promise<void> {
    this.ticker?.stop();
    await new Promise<void>((r) => this.socket.close(() => r()));
  }
}

/** Energy share at `freq` averaged over 100 ms blocks of the signal's middle part (skips edges). */
export function shareAt(pcm: Int16Array, freq: number): number {
  const block = 800;
  const blocks = Math.floor(pcm.length / block);
  if (blocks < 3) return pcm.length > 0 ? toneShare(pcm, freq) : 0;
  let sum = 0;
  let n = 0;
  for (let b = 1; b < blocks - 1; b++) {
    sum += toneShare(pcm, freq, 8000, b * block, block);
    n++;
  }
  return sum / n;
}

/** RMS level of a signal. */
export function rms(pcm: Int16Array): number {
  let s = 0;
  for (let i = 0; i < pcm.length; i++) s += pcm[i]! * pcm[i]!;
  return pcm.length ? Math.sqrt(s / pcm.length) : 0;
}

export function sine(freq: number, durationMs: number, amplitude = 8000): Int16Array {
  const n = Math.round(durationMs * 8);
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * freq * i) / 8000));
  return out;
}

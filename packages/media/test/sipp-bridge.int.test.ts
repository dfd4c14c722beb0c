import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { MediaCore } from '../src/engine/media-core.ts';
import { parseRtp, type RtpPacket } from '../src/rtp/rtp-packet.ts';
import { codecs, type CodecName } from '../src/codec/codec.registry.ts';
import { shareAt, waitFor } from '../src/testing/index.ts';
import { sox, withTempDir } from './helpers.ts';
import { TinyUas } from './sip-uas.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Sits in front of a sipp media port: records what the engine sends to sipp, then forwards it. */
async function tap(to: () => number): Promise<{ port: number; packets: RtpPacket[] }> {
  const s = dgram.createSocket('udp4');
  const packets: RtpPacket[] = [];
  s.on('message', (m) => {
    try {
      packets.push(parseRtp(m));
    } catch {
      return;
    }
    s.send(m, to(), '127.0.0.1');
  });
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  cleanup.push(() => new Promise<void>((r) => s.close(() => r())));
  return { port: s.address().port, packets };
}

function decodeAll(packets: RtpPacket[], codec: CodecName): Int16Array {
  const parts = packets.map((p) => codecs[codec].decode(p.payload));
  const out = new Int16Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) (out.set(p, o), (o += p.length));
  return out;
}

function runSipp(dir: string, uasPort: number, o: { wav: string; pt: number; codec: CodecName; mediaPort: number; durationMs: number }): Promise<number> {
  return (async () => {
    const tpl = await readFile(path.join(here, 'fixtures/uac-rtp-stream.xml'), 'utf8');
    const scn = path.join(dir, `uac-${o.mediaPort}.xml`);
    await writeFile(scn, tpl.replace('@DURATION@', String(o.durationMs)).replace('@STREAM@', `${o.wav},-1,${o.pt}`));
    const args = [`127.0.0.1:${uasPort}`, '-sf', scn, '-m', '1', '-i', '127.0.0.1', '-p', String(await freeUdpPort()), '-mp', String(o.mediaPort),
      '-cp', String(await freeUdpPort()), '-key', 'payload', String(o.pt), '-key', 'codec', o.codec, '-s', '4000', '-nostdin', '-timeout', '20s', '-timeout_error'];
    const p = spawn('sipp', args, { cwd: dir, stdio: 'ignore' });
    cleanup.push(() => void (p.exitCode === null && p.kill('SIGKILL')));
    return new Promise<number>((resolve) => p.on('exit', (code) => resolve(code ?? -1)));
  })();
}

describe('bridge between two real SIP peers (sipp rtp_stream)', { timeout: 60_000 }, () => {
  it.each<[string, CodecName]>([
    ['relayed', 'PCMU'],
    ['transcoded', 'PCMA'],
  ])('carries 440 Hz PCMU from one caller and 1 kHz from the other (%s, %s), both ways', async (_how, codecB) => {
    const ptB = codecs[codecB].staticPayloadType;
    await withTempDir(async (dir) => {
      const core = new MediaCore({ bindAddress: '127.0.0.1' });
      cleanup.push(() => core.close());
      const ulaw = path.join(dir, 'a440.wav');
      const alaw = path.join(dir, 'b1000.wav');
      await sox(['-n', '-r', '8000', '-c', '1', '-e', 'u-law', ulaw, 'synth', '10', 'sine', '440', 'vol', '0.5']);
      await sox(['-n', '-r', '8000', '-c', '1', '-e', codecB === 'PCMA' ? 'a-law' : 'u-law', alaw, 'synth', '10', 'sine', '1000', 'vol', '0.5']);
      const mediaA = (await freeUdpPort()) & ~1;
      const mediaB = (await freeUdpPort()) & ~1;
      const tapA = await tap(() => mediaA);
      const tapB = await tap(() => mediaB);
      const legs: string[] = [];
      const uas = await TinyUas.start(async (offer) => {
        const { id } = await core.createRtpEndpoint({ latching: false });
        legs.push(id);
        // Route the engine's output for each caller through its tap (the SDP port is rewritten).
        const viaTap = offer.replace(/m=audio (\d+)/, (_m, port) => `m=audio ${Number(port) === mediaA ? tapA.port : tapB.port}`);
        return core.answer(id, viaTap);
      });
      cleanup.push(() => uas.close());

      const a = runSipp(dir, uas.port, { wav: ulaw, pt: 0, codec: 'PCMU', mediaPort: mediaA, durationMs: 5000 });
      const b = runSipp(dir, uas.port, { wav: alaw, pt: ptB, codec: codecB, mediaPort: mediaB, durationMs: 5000 });
      await waitFor(() => legs.length === 2, 10_000, 'both calls answered');
      core.bridge(legs[0]!, legs[1]!);
      expect(await a).toBe(0);
      expect(await b).toBe(0);
      expect(uas.byes).toBe(2);

      // Each caller sent ~250 packets; the bridge carried everything after both were up (~5 s, at least 2 s).
      const [first, second] = legs.map((id) => core.stats(id));
      expect(first!.packetsReceived).toBeGreaterThan(150);
      expect(second!.packetsReceived).toBeGreaterThan(150);
      expect(tapA.packets.length).toBeGreaterThan(100);
      expect(tapB.packets.length).toBeGreaterThan(100);
      expect(tapA.packets.every((p) => p.payloadType === 0)).toBe(true);
      expect(tapB.packets.every((p) => p.payloadType === ptB)).toBe(true);
      expect(shareAt(decodeAll(tapA.packets, 'PCMU'), 1000)).toBeGreaterThan(0.9);
      expect(shareAt(decodeAll(tapB.packets, codecB), 440)).toBeGreaterThan(0.9);
      expect(shareAt(decodeAll(tapA.packets, 'PCMU'), 440)).toBeLessThan(0.01);
    });
  });
});

import { describe, expect, it } from 'vitest';
import { toneShare } from '../src/dtmf/goertzel.ts';
import { waitFor } from '../src/testing/index.ts';
import { sleep, useCore } from './core-fixture.ts';

const kit = useCore();

describe('audio tap', () => {
  it('delivers what a leg sends as 8 kHz chunks of framesPerChunk × 20 ms, and stops', async () => {
    const { core, events } = kit.core();
    const a = await kit.leg(core, 'PCMU');
    const { tapId } = core.tapAudio(a.id, { framesPerChunk: 10 });
    await a.peer.startSending({ codec: 'PCMU', freq: 440, durationMs: 1000 });
    const chunks = (): Int16Array[] => events.flatMap((e) => (e.type === 'audio' && e.tapId === tapId ? [e.pcm] : []));
    await waitFor(() => chunks().length >= 4, 3000, 'four chunks');
    core.stopTap(tapId);
    const n = chunks().length;
    expect(chunks().slice(0, -1).every((c) => c.length === 1600)).toBe(true);
    const loud = chunks().find((c) => c.some((v) => Math.abs(v) > 3000))!;
    expect(toneShare(loud, 440)).toBeGreaterThan(0.8);
    await sleep(300);
    expect(chunks().length).toBe(n);
  });
});

describe('bridge mute', () => {
  it('stops one direction while the other still flows', async () => {
    const { core } = kit.core();
    const a = await kit.leg(core, 'PCMU');
    const b = await kit.leg(core, 'PCMU');
    const { bridgeId } = core.bridge(a.id, b.id);
    core.muteBridge(bridgeId, b.id, true);
    await Promise.all([
      a.peer.startSending({ codec: 'PCMU', freq: 440, durationMs: 600 }),
      b.peer.startSending({ codec: 'PCMU', freq: 1000, durationMs: 600 }),
    ]);
    await waitFor(() => b.peer.received.length >= 30, 3000, 'a → b');
    expect(a.peer.received.length).toBe(0);
    core.muteBridge(bridgeId, b.id, false);
    await b.peer.startSending({ codec: 'PCMU', freq: 1000, durationMs: 300 });
    await waitFor(() => a.peer.received.length >= 10, 3000, 'b → a after unmute');
    expect(a.peer.shareAt(1000)).toBeGreaterThan(0.9);
  });
});

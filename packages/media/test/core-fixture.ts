import { afterEach } from 'vitest';
import { MediaCore } from '../src/engine/media-core.ts';
import type { MediaEvent } from '../src/engine/media-events.ts';
import { RtpTestPeer } from '../src/testing/index.ts';
import type { CodecName } from '../src/codec/codec.registry.ts';

/** A MediaCore plus test peers, all closed after each test. */
export function useCore() {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });
  return {
    core(): { core: MediaCore; events: MediaEvent[] } {
      const core = new MediaCore({ bindAddress: '127.0.0.1' });
      const events: MediaEvent[] = [];
      core.on('event', (e) => events.push(e));
      cleanup.push(() => core.close());
      return { core, events };
    },
    /** An endpoint wired to a fresh test peer in `codec` (both directions). */
    async leg(core: MediaCore, codec: CodecName, o: { telephoneEventPt?: number } = {}): Promise<{ id: string; peer: RtpTestPeer }> {
      const peer = await RtpTestPeer.create();
      cleanup.push(() => peer.close());
      const { id, port } = await core.createRtpEndpoint();
      core.configureRtp(id, { address: '127.0.0.1', port: peer.port }, { codec, ...o });
      peer.remote = { address: '127.0.0.1', port };
      return { id, peer };
    },
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

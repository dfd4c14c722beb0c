import { transcoderFor } from '../codec/codec.registry.ts';
import type { MediaEndpoint, MediaPacket } from '../endpoint/media-endpoint.ts';

/**
 * Two-leg bridge. Packets are forwarded as they arrive (no jitter buffer, no decoding) when both
 * legs use the same codec; PCMU↔PCMA legs are transcoded octet by octet through a 256-entry table.
 * RFC 4733 events are relayed when the far leg negotiated telephone-event.
 */
export class Bridge {
  private readonly unsubscribe: (() => void)[];
  private mutedA = false;
  private mutedB = false;
  relayed = 0;
  transcoded = 0;

  constructor(readonly id: string, readonly a: MediaEndpoint, readonly b: MediaEndpoint) {
    this.unsubscribe = [a.onMedia((p) => !this.mutedA && this.forward(p, b)), b.onMedia((p) => !this.mutedB && this.forward(p, a))];
  }

  /** A muted leg is still heard by nobody across the bridge; it still hears the other leg. */
  setMuted(ep: MediaEndpoint, muted: boolean): void {
    if (ep === this.a) this.mutedA = muted;
    if (ep === this.b) this.mutedB = muted;
  }

  private forward(p: MediaPacket, to: MediaEndpoint): void {
    if (p.kind === 'event') {
      if (to.supportsTelephoneEvent) to.sendEventPayload(p.payload, p.timestamp, p.ssrc, p.marker);
      return;
    }
    const target = to.codec;
    if (!target || !p.codec) return;
    const t = p.codec === target ? undefined : transcoderFor(p.codec, target);
    if (t) {
      this.transcoded++;
      to.sendAudioPayload(t(p.payload), p.timestamp, p.ssrc, p.marker);
    } else {
      this.relayed++;
      to.relayAudio(p);
    }
  }

  close(): void {
    for (const u of this.unsubscribe) u();
  }
}

// The media engine reports everything (DTMF, prompts ending, audio taps) on one event stream keyed by ids; this
// dispatcher hands each event to whoever waits for that id, so that a call session can await "this prompt ended"
// or "the next digit on this leg" without scanning every event of every call.
import type { MediaEngine, MediaEvent } from '@kefu/media';

type PlaybackEnd = Extract<MediaEvent, { type: 'playback.ended' }>['reason'];
type DigitListener = (digit: string) => void;
type AudioListener = (pcm: Int16Array) => void;

export class MediaEvents {
  private readonly playbacks = new Map<string, (reason: PlaybackEnd) => void>();
  /** Playbacks that ended before anyone waited for them (the reply and the event race across the thread). */
  private readonly endedEarly = new Map<string, PlaybackEnd>();
  private readonly digits = new Map<string, Set<DigitListener>>();
  private readonly lastDigit = new Map<string, string>();
  private readonly taps = new Map<string, AudioListener>();

  constructor(engine: MediaEngine) {
    engine.on('event', (e) => this.dispatch(e));
  }

  private dispatch(e: MediaEvent): void {
    switch (e.type) {
      case 'dtmf':
        this.lastDigit.set(e.endpointId, e.digit);
        for (const l of this.digits.get(e.endpointId) ?? []) l(e.digit);
        return;
      case 'playback.ended': {
        const waiter = this.playbacks.get(e.playbackId);
        if (waiter) {
          this.playbacks.delete(e.playbackId);
          waiter(e.reason);
        } else {
          this.endedEarly.set(e.playbackId, e.reason);
          if (this.endedEarly.size > 1000) this.endedEarly.delete(this.endedEarly.keys().next().value!);
        }
        return;
      }
      case 'audio':
        this.taps.get(e.tapId)?.(e.pcm);
        return;
      case 'endpoint.closed':
        this.digits.delete(e.endpointId);
        this.lastDigit.delete(e.endpointId);
        return;
      default:
    }
  }

  /**
   * A key the phone signalled outside the media (SIP INFO with `application/dtmf-relay` or `application/dtmf`):
   * delivered to the leg's digit listeners like an RFC 4733 one. (It does not barge into a prompt the media engine
   * plays; whoever listens may stop it.)
   */
  signalledDigit(endpointId: string, digit: string): void {
    this.dispatch({ type: 'dtmf', endpointId, digit, source: 'rfc4733', durationMs: 0 });
  }

  /** Settles when the playback ends, with why (finished, stopped, dtmf, closed). */
  playbackEnded(playbackId: string): Promise<PlaybackEnd> {
    const early = this.endedEarly.get(playbackId);
    if (early) {
      this.endedEarly.delete(playbackId);
      return Promise.resolve(early);
    }
    return new Promise((resolve) => this.playbacks.set(playbackId, resolve));
  }

  /** The last digit received on a leg (the one that barged into a prompt). */
  lastDigitOf(endpointId: string): string | undefined {
    return this.lastDigit.get(endpointId);
  }

  onDigit(endpointId: string, listener: DigitListener): () => void {
    let set = this.digits.get(endpointId);
    if (!set) this.digits.set(endpointId, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  onAudio(tapId: string, listener: AudioListener): () => void {
    this.taps.set(tapId, listener);
    return () => this.taps.delete(tapId);
  }
}

const dispatchers = new WeakMap<MediaEngine, MediaEvents>();

export function mediaEventsOf(engine: MediaEngine): MediaEvents {
  let d = dispatchers.get(engine);
  if (!d) dispatchers.set(engine, (d = new MediaEvents(engine)));
  return d;
}

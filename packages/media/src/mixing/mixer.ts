import { FRAME_SAMPLES } from '../audio/jitter-buffer.ts';
import type { MediaEndpoint } from '../endpoint/media-endpoint.ts';

/** 'full' speaks and hears; 'listen' hears only (supervisor monitor); 'whisper' hears all, heard by one. */
export type ParticipantMode = 'full' | 'listen' | 'whisper';

interface Participant {
  ep: MediaEndpoint;
  mode: ParticipantMode;
  whisperTo: string | undefined;
  release: () => void;
}

/**
 * N-party conference with mix-minus: each participant hears the sum of all speakers except
 * itself, plus any whisper aimed at it. Runs once per 20 ms tick on decoded frames.
 */
export class Mixer {
  private readonly parts = new Map<string, Participant>();
  private readonly owner: string;
  private readonly sum = new Int32Array(FRAME_SAMPLES);
  private readonly out = new Int16Array(FRAME_SAMPLES);

  constructor(readonly id: string) {
    this.owner = `mixer:${id}`;
  }

  join(ep: MediaEndpoint, mode: ParticipantMode = 'full', whisperTo?: string): void {
    this.leave(ep.id);
    ep.setOutputOwner(this.owner);
    this.parts.set(ep.id, { ep, mode, whisperTo, release: ep.enableDecoding() });
  }

  /** Changes a participant's mode (listen → whisper → full is the supervisor's barge). */
  setMode(endpointId: string, mode: ParticipantMode, whisperTo?: string): void {
    const p = this.parts.get(endpointId);
    if (!p) return;
    p.mode = mode;
    p.whisperTo = whisperTo;
  }

  leave(endpointId: string): boolean {
    const p = this.parts.get(endpointId);
    if (!p) return false;
    p.release();
    p.ep.setOutputOwner(undefined);
    this.parts.delete(endpointId);
    return true;
  }

  get size(): number {
    return this.parts.size;
  }
  has(endpointId: string): boolean {
    return this.parts.has(endpointId);
  }

  tick(): void {
    const sum = this.sum;
    sum.fill(0);
    for (const p of this.parts.values()) {
      const f = p.mode === 'full' ? p.ep.currentFrame : undefined;
      if (f) for (let i = 0; i < FRAME_SAMPLES; i++) sum[i]! += f[i]!;
    }
    for (const [id, p] of this.parts) {
      const own = p.mode === 'full' ? p.ep.currentFrame : undefined;
      const whispers: Int16Array[] = [];
      for (const w of this.parts.values()) {
        if (w.mode === 'whisper' && w.whisperTo === id && w.ep.currentFrame) whispers.push(w.ep.currentFrame);
      }
      for (let i = 0; i < FRAME_SAMPLES; i++) {
        let v = sum[i]! - (own ? own[i]! : 0);
        for (const w of whispers) v += w[i]!;
        this.out[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
      }
      p.ep.writeFrame(this.out, this.owner);
    }
  }

  close(): void {
    for (const id of [...this.parts.keys()]) this.leave(id);
  }
}

/** Call-progress tones as cadences of sine pairs (ITU-T E.180 / national variants). */
export interface ToneSpec {
  /** Frequencies (Hz) summed during the "on" part. */
  freqs: number[];
  /** Alternating on/off durations in ms; an empty list is a continuous tone. */
  cadence: number[];
  /** Per-frequency amplitude (16-bit linear). */
  amplitude?: number;
}

export type ToneName = 'ringback' | 'busy' | 'congestion' | 'dial' | 'ringback-cn' | 'busy-cn';

export const tones = {
  ringback: { freqs: [440, 480], cadence: [2000, 4000] },
  busy: { freqs: [480, 620], cadence: [500, 500] },
  congestion: { freqs: [480, 620], cadence: [250, 250] },
  dial: { freqs: [350, 440], cadence: [] },
  'ringback-cn': { freqs: [450], cadence: [1000, 4000] },
  'busy-cn': { freqs: [450], cadence: [350, 350] },
} as const satisfies Record<ToneName, ToneSpec>;

/** Generates a tone sample by sample, continuing its phase across calls. */
export class ToneGenerator {
  private n = 0;
  private readonly period: number;
  constructor(private readonly spec: ToneSpec, private readonly sampleRate = 8000) {
    this.period = spec.cadence.reduce((a, b) => a + b, 0) * (sampleRate / 1000);
  }

  fill(out: Int16Array): void {
    const amp = this.spec.amplitude ?? 6000;
    for (let i = 0; i < out.length; i++, this.n++) {
      if (!this.isOn(this.n)) {
        out[i] = 0;
        continue;
      }
      let v = 0;
      for (const f of this.spec.freqs) v += Math.sin((2 * Math.PI * f * this.n) / this.sampleRate);
      out[i] = Math.round(v * amp);
    }
  }

  private isOn(n: number): boolean {
    if (this.period === 0) return true;
    let t = (n % this.period) / (this.sampleRate / 1000);
    for (let i = 0; i < this.spec.cadence.length; i++) {
      t -= this.spec.cadence[i]!;
      if (t < 0) return i % 2 === 0;
    }
    return false;
  }
}

import { goertzelPower } from './goertzel.ts';
import type { DetectedDigit } from './rfc4733.ts';

const ROWS = [697, 770, 852, 941];
const COLS = [1209, 1336, 1477, 1633];
const KEYS = ['123A', '456B', '789C', '*0#D'];
/** 205 samples at 8 kHz (25.6 ms) places the Goertzel bins close to all eight DTMF tones. */
const BLOCK = 205;

export interface InbandDetectorOptions {
  /** Minimum per-tone amplitude (linear, 16-bit) — about -36 dBm0. */
  minAmplitude?: number;
  /** Share of block energy the two tones must hold (talk-off: speech spreads its energy). */
  minToneShare?: number;
  /** Max twist in dB: column tone weaker than row (normal) / stronger (reverse), ITU-T Q.24. */
  normalTwistDb?: number;
  reverseTwistDb?: number;
  /** Consecutive blocks a digit must hold (2 blocks ≈ 51 ms ≥ the 40 ms Q.24 minimum). */
  minBlocks?: number;
}

/**
 * In-band DTMF detection (ITU-T Q.23/Q.24) with talk-off protection: the two strongest tones
 * must dominate the block's energy, lead every other tone of their group by 8 dB, keep twist
 * within limits, have weak second harmonics (voices and music are rich in harmonics) and last
 * at least two blocks; a digit is reported once, then the detector waits for a gap.
 */
export class InbandDtmfDetector {
  private readonly buf = new Float64Array(BLOCK);
  private fill = 0;
  private candidate = '';
  private candidateBlocks = 0;
  private reportedDigit = '';
  private silentBlocks = 0;
  private readonly o: Required<InbandDetectorOptions>;

  constructor(options: InbandDetectorOptions = {}) {
    this.o = { minAmplitude: 400, minToneShare: 0.7, normalTwistDb: 8, reverseTwistDb: 6, minBlocks: 2, ...options };
  }

  /** Feeds 8 kHz linear samples; returns digits completed in this chunk. */
  push(samples: Int16Array): DetectedDigit[] {
    const out: DetectedDigit[] = [];
    for (let i = 0; i < samples.length; i++) {
      this.buf[this.fill++] = samples[i]!;
      if (this.fill === BLOCK) {
        this.fill = 0;
        const d = this.block();
        if (d) out.push(d);
      }
    }
    return out;
  }

  private classify(): string {
    const x = this.buf;
    let energy = 0;
    for (let i = 0; i < BLOCK; i++) energy += x[i]! * x[i]!;
    const minPower = (this.o.minAmplitude * BLOCK) / 2;
    if (energy < (BLOCK * this.o.minAmplitude * this.o.minAmplitude) / 2) return '';
    const rp = ROWS.map((f) => goertzelPower(x, f));
    const cp = COLS.map((f) => goertzelPower(x, f));
    const ri = argmax(rp);
    const ci = argmax(cp);
    const r = rp[ri]!;
    const c = cp[ci]!;
    if (r < minPower * minPower || c < minPower * minPower) return '';
    // Twist (Q.24): column relative to row.
    const twistDb = 10 * Math.log10(c / r);
    if (twistDb < -this.o.normalTwistDb || twistDb > this.o.reverseTwistDb) return '';
    // The peak in each group leads the others by 8 dB.
    for (let i = 0; i < 4; i++) {
      if (i !== ri && rp[i]! * 6.3 > r) return '';
      if (i !== ci && cp[i]! * 6.3 > c) return '';
    }
    // The pair holds most of the block energy: 2|X|²/N per tone vs Σx².
    const share = (2 * (r + c)) / (BLOCK * energy);
    if (share < this.o.minToneShare) return '';
    // Second harmonics are weak in DTMF generators but strong in voice.
    const h1 = goertzelPower(x, ROWS[ri]! * 2);
    const h2 = goertzelPower(x, COLS[ci]! * 2 < 4000 ? COLS[ci]! * 2 : COLS[ci]! * 1.5);
    if (h1 * 10 > r || h2 * 10 > c) return '';
    return KEYS[ri]![ci]!;
  }

  private block(): DetectedDigit | undefined {
    const digit = this.classify();
    if (digit === '') {
      this.silentBlocks++;
      if (this.silentBlocks >= 1) this.reportedDigit = '';
      this.candidate = '';
      this.candidateBlocks = 0;
      return undefined;
    }
    this.silentBlocks = 0;
    if (digit !== this.candidate) {
      this.candidate = digit;
      this.candidateBlocks = 1;
    } else {
      this.candidateBlocks++;
    }
    if (this.candidateBlocks >= this.o.minBlocks && this.reportedDigit !== digit) {
      this.reportedDigit = digit;
      return { digit, durationMs: (this.candidateBlocks * BLOCK) / 8, source: 'inband' };
    }
    return undefined;
  }
}

function argmax(a: number[]): number {
  let best = 0;
  for (let i = 1; i < a.length; i++) if (a[i]! > a[best]!) best = i;
  return best;
}

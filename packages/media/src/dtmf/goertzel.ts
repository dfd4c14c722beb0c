/** Goertzel algorithm: power of one frequency in a block of samples. */
export function goertzelPower(samples: ArrayLike<number>, freq: number, sampleRate = 8000, start = 0, length = samples.length - start): number {
  const coeff = 2 * Math.cos((2 * Math.PI * freq) / sampleRate);
  let s1 = 0;
  let s2 = 0;
  for (let i = start; i < start + length; i++) {
    const s0 = samples[i]! + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return s1 * s1 + s2 * s2 - coeff * s1 * s2;
}

/** Share (0..1) of a block's energy that sits at `freq` (1 for a pure tone at that frequency). */
export function toneShare(samples: ArrayLike<number>, freq: number, sampleRate = 8000, start = 0, length = samples.length - start): number {
  let energy = 0;
  for (let i = start; i < start + length; i++) energy += samples[i]! * samples[i]!;
  if (energy === 0) return 0;
  return (2 * goertzelPower(samples, freq, sampleRate, start, length)) / (length * energy);
}

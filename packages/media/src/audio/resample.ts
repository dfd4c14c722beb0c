/**
 * Converts mono PCM at any rate to 8 kHz: a windowed-sinc low-pass at 3.6 kHz when
 * downsampling, then linear interpolation at the new sample instants.
 */
export function resampleTo8k(input: Int16Array, rate: number): Int16Array {
  if (rate === 8000) return input;
  let src: Float64Array = Float64Array.from(input);
  if (rate > 8000) src = lowPass(src, 3600 / rate);
  const outLen = Math.floor((input.length * 8000) / rate);
  const out = new Int16Array(outLen);
  const step = rate / 8000;
  for (let i = 0; i < outLen; i++) {
    const pos = i * step;
    const j = Math.floor(pos);
    const frac = pos - j;
    const a = src[j] ?? 0;
    const b = src[j + 1] ?? a;
    out[i] = clamp16(a + (b - a) * frac);
  }
  return out;
}

function lowPass(x: Float64Array, cutoff: number): Float64Array {
  const taps = 31;
  const half = (taps - 1) / 2;
  const h = new Float64Array(taps);
  let sum = 0;
  for (let n = 0; n < taps; n++) {
    const m = n - half;
    const sinc = m === 0 ? 2 * cutoff : Math.sin(2 * Math.PI * cutoff * m) / (Math.PI * m);
    const w = 0.54 - 0.46 * Math.cos((2 * Math.PI * n) / (taps - 1)); // Hamming
    h[n] = sinc * w;
    sum += h[n]!;
  }
  for (let n = 0; n < taps; n++) h[n]! /= sum;
  const y = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    let acc = 0;
    for (let n = 0; n < taps; n++) {
      const k = i - n + half;
      if (k >= 0 && k < x.length) acc += h[n]! * x[k]!;
    }
    y[i] = acc;
  }
  return y;
}

export function clamp16(v: number): number {
  return v > 32767 ? 32767 : v < -32768 ? -32768 : Math.round(v);
}

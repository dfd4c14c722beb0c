/**
 * G.711 µ-law (PCMU) and A-law (PCMA), ITU-T G.711 §3/§2, table driven.
 * Encoding indexes a table by the top 14 (µ-law) or 13 (A-law) bits of the linear sample,
 * decoding indexes a 256-entry table. Linear PCM inside the engine is signed 16-bit.
 */

const ULAW_BIAS = 0x84;
const ULAW_CLIP = 32635;

function ulawEncodeSample(sample: number): number {
  let s = sample;
  const sign = s < 0 ? 0x80 : 0;
  if (s < 0) s = -s;
  if (s > ULAW_CLIP) s = ULAW_CLIP;
  s += ULAW_BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

function ulawDecodeSample(code: number): number {
  const u = ~code & 0xff;
  const exponent = (u >> 4) & 0x07;
  const mantissa = u & 0x0f;
  const magnitude = (((mantissa << 3) + ULAW_BIAS) << exponent) - ULAW_BIAS;
  return u & 0x80 ? -magnitude : magnitude;
}

function alawEncodeSample(sample: number): number {
  // G.711 §2: 13-bit magnitude, segments of doubling size, even bits inverted (0x55).
  let s = sample >> 3;
  let mask: number;
  if (s >= 0) {
    mask = 0xd5;
  } else {
    mask = 0x55;
    s = -s - 1;
  }
  const segEnds = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff];
  let seg = 0;
  while (seg < 8 && s > segEnds[seg]!) seg++;
  if (seg >= 8) return 0x7f ^ mask;
  let aval = seg << 4;
  aval |= seg < 2 ? (s >> 1) & 0x0f : (s >> seg) & 0x0f;
  return aval ^ mask;
}

function alawDecodeSample(code: number): number {
  const a = code ^ 0x55;
  let t = (a & 0x0f) << 4;
  const seg = (a & 0x70) >> 4;
  if (seg === 0) t += 8;
  else if (seg === 1) t += 0x108;
  else t = (t + 0x108) << (seg - 1);
  return a & 0x80 ? t : -t;
}

const ULAW_DECODE = new Int16Array(256);
const ALAW_DECODE = new Int16Array(256);
for (let i = 0; i < 256; i++) {
  ULAW_DECODE[i] = ulawDecodeSample(i);
  ALAW_DECODE[i] = alawDecodeSample(i);
}
/** Index: (sample >> 2) + 8192, i.e. 14 significant bits. */
const ULAW_ENCODE = new Uint8Array(16384);
for (let i = 0; i < 16384; i++) ULAW_ENCODE[i] = ulawEncodeSample((i - 8192) << 2);
/** Index: (sample >> 3) + 4096, i.e. 13 significant bits. */
const ALAW_ENCODE = new Uint8Array(8192);
for (let i = 0; i < 8192; i++) ALAW_ENCODE[i] = alawEncodeSample((i - 4096) << 3);

export function encodeUlaw(pcm: Int16Array, out = new Uint8Array(pcm.length)): Uint8Array {
  for (let i = 0; i < pcm.length; i++) out[i] = ULAW_ENCODE[(pcm[i]! >> 2) + 8192]!;
  return out;
}
export function decodeUlaw(data: Uint8Array, out = new Int16Array(data.length)): Int16Array {
  for (let i = 0; i < data.length; i++) out[i] = ULAW_DECODE[data[i]!]!;
  return out;
}
export function encodeAlaw(pcm: Int16Array, out = new Uint8Array(pcm.length)): Uint8Array {
  for (let i = 0; i < pcm.length; i++) out[i] = ALAW_ENCODE[(pcm[i]! >> 3) + 4096]!;
  return out;
}
export function decodeAlaw(data: Uint8Array, out = new Int16Array(data.length)): Int16Array {
  for (let i = 0; i < data.length; i++) out[i] = ALAW_DECODE[data[i]!]!;
  return out;
}

/** Direct PCMU → PCMA and PCMA → PCMU byte maps (through linear), for the transcoding relay. */
const ULAW_TO_ALAW = new Uint8Array(256);
const ALAW_TO_ULAW = new Uint8Array(256);
for (let i = 0; i < 256; i++) {
  ULAW_TO_ALAW[i] = ALAW_ENCODE[(ULAW_DECODE[i]! >> 3) + 4096]!;
  ALAW_TO_ULAW[i] = ULAW_ENCODE[(ALAW_DECODE[i]! >> 2) + 8192]!;
}
export function ulawToAlaw(data: Uint8Array, out = new Uint8Array(data.length)): Uint8Array {
  for (let i = 0; i < data.length; i++) out[i] = ULAW_TO_ALAW[data[i]!]!;
  return out;
}
export function alawToUlaw(data: Uint8Array, out = new Uint8Array(data.length)): Uint8Array {
  for (let i = 0; i < data.length; i++) out[i] = ALAW_TO_ULAW[data[i]!]!;
  return out;
}
/** Silence bytes: µ-law 0xFF and A-law 0xD5 decode to 0 and ±8. */
export const ULAW_SILENCE = 0xff;
export const ALAW_SILENCE = 0xd5;

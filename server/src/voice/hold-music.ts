// The built-in music on hold: a gentle C-major arpeggio (C5 E5 G5 E5, 400 ms per note with soft attack and
// release), 8 kHz PCM for the media engine's looping player. Divisions will pick their own files later.
export const HOLD_NOTES_HZ = [523.25, 659.25, 783.99, 659.25] as const;
const NOTE_MS = 400;

export function holdMusicPcm(sampleRate = 8000): Int16Array {
  const perNote = (sampleRate * NOTE_MS) / 1000;
  const ramp = sampleRate * 0.02;
  const out = new Int16Array(perNote * HOLD_NOTES_HZ.length);
  HOLD_NOTES_HZ.forEach((hz, k) => {
    for (let i = 0; i < perNote; i++) {
      const envelope = Math.min(1, i / ramp, (perNote - i) / ramp);
      out[k * perNote + i] = Math.round(6000 * envelope * Math.sin((2 * Math.PI * hz * i) / sampleRate));
    }
  });
  return out;
}

/** The voicemail beep: 1 kHz for 400 ms (8 kHz PCM), the tone people expect before they speak. */
export function beepPcm(sampleRate = 8000): Int16Array {
  const n = (sampleRate * 400) / 1000;
  return Int16Array.from({ length: n }, (_, i) => Math.round(8000 * Math.min(1, i / 80, (n - i) / 80) * Math.sin((2 * Math.PI * 1000 * i) / sampleRate)));
}

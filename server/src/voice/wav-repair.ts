// Makes a WAV file whose writer died (a crash mid-call) playable: the recorder writes a 44-byte canonical header
// with zero sizes first and patches it on close, so a partial file has valid audio but wrong RIFF/data sizes.
// The sizes are recomputed from the file length (whole sample frames only).
import fs from 'node:fs/promises';

export interface RepairedWav {
  dataBytes: number;
  channels: number;
  durationMs: number;
}

export async function repairWavHeader(file: string): Promise<RepairedWav | undefined> {
  const handle = await fs.open(file, 'r+');
  try {
    const { size } = await handle.stat();
    if (size < 44) return undefined;
    const header = Buffer.alloc(44);
    await handle.read(header, 0, 44, 0);
    if (header.toString('ascii', 0, 4) !== 'RIFF' || header.toString('ascii', 8, 12) !== 'WAVE' || header.toString('ascii', 36, 40) !== 'data') return undefined;
    const channels = header.readUInt16LE(22);
    const rate = header.readUInt32LE(24);
    const blockAlign = header.readUInt16LE(32);
    if (!channels || !rate || !blockAlign) return undefined;
    const dataBytes = Math.floor((size - 44) / blockAlign) * blockAlign;
    header.writeUInt32LE(36 + dataBytes, 4);
    header.writeUInt32LE(dataBytes, 40);
    await handle.write(header, 0, 44, 0);
    if (44 + dataBytes < size) await handle.truncate(44 + dataBytes);
    await handle.sync();
    return { dataBytes, channels, durationMs: Math.round((dataBytes / blockAlign / rate) * 1000) };
  } finally {
    await handle.close();
  }
}

/** A byte range of a resource (RFC 9110 §14.1.2), or 'unsatisfiable', or undefined to send the whole thing. */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m) return undefined; // multiple or odd ranges: a server may ignore Range (§14.2)
  const [, a, b] = m;
  if (a === '' && b === '') return undefined;
  if (a === '') {
    const suffix = Number(b);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(a);
  const end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

// What an uploaded file is, decided from its bytes (never from the uploader's name or Content-Type), and whether
// Kefu accepts it. Images are validated structurally (header, dimensions within limits) so that a file that
// claims to be a PNG but holds HTML or a polyglot is refused; everything else allowed is served as a download.

export interface DetectedFile {
  contentType: string;
  /** Shown in the page (img) rather than downloaded. */
  inline: boolean;
  width: number | null;
  height: number | null;
}

export type DetectResult = { ok: true; file: DetectedFile } | { ok: false; reason: string };

export const MAX_IMAGE_SIDE = 16_384;
export const MAX_IMAGE_PIXELS = 40_000_000;

const startsWith = (b: Buffer, bytes: number[], at = 0) => b.length >= at + bytes.length && bytes.every((x, i) => b[at + i] === x);

function png(b: Buffer): DetectResult | undefined {
  if (!startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return undefined;
  // The first chunk must be IHDR (length 13): width and height are 4-byte big-endian.
  if (b.length < 33 || b.readUInt32BE(8) !== 13 || b.toString('latin1', 12, 16) !== 'IHDR') return { ok: false, reason: 'is a damaged PNG image' };
  if (b.toString('latin1', b.length - 8, b.length - 4) !== 'IEND') return { ok: false, reason: 'is a truncated PNG image' };
  return image('image/png', b.readUInt32BE(16), b.readUInt32BE(20));
}

function jpeg(b: Buffer): DetectResult | undefined {
  if (!startsWith(b, [0xff, 0xd8, 0xff])) return undefined;
  // Walk the segments to the first start-of-frame marker (SOF0–SOF15 except DHT/JPG/DAC), which holds the size.
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return { ok: false, reason: 'is a damaged JPEG image' };
    const marker = b[i + 1]!;
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01 || marker === 0xff) {
      i += marker === 0xff ? 1 : 2;
      continue;
    }
    const length = b.readUInt16BE(i + 2);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return image('image/jpeg', b.readUInt16BE(i + 7), b.readUInt16BE(i + 5));
    }
    if (length < 2) return { ok: false, reason: 'is a damaged JPEG image' };
    i += 2 + length;
  }
  return { ok: false, reason: 'is a JPEG image without a frame header' };
}

function gif(b: Buffer): DetectResult | undefined {
  if (!(b.toString('latin1', 0, 6) === 'GIF87a' || b.toString('latin1', 0, 6) === 'GIF89a')) return undefined;
  if (b.length < 14 || b[b.length - 1] !== 0x3b) return { ok: false, reason: 'is a damaged GIF image' };
  return image('image/gif', b.readUInt16LE(6), b.readUInt16LE(8));
}

function webp(b: Buffer): DetectResult | undefined {
  if (!(b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP')) return undefined;
  if (b.length < 30 || b.readUInt32LE(4) + 8 !== b.length) return { ok: false, reason: 'is a damaged WebP image' };
  const kind = b.toString('latin1', 12, 16);
  if (kind === 'VP8X') return image('image/webp', 1 + b.readUIntLE(24, 3), 1 + b.readUIntLE(27, 3));
  if (kind === 'VP8L') {
    const bits = b.readUInt32LE(21);
    return image('image/webp', 1 + (bits & 0x3fff), 1 + ((bits >> 14) & 0x3fff));
  }
  if (kind === 'VP8 ') return image('image/webp', b.readUInt16LE(26) & 0x3fff, b.readUInt16LE(28) & 0x3fff);
  return { ok: false, reason: 'is a WebP image of an unknown kind' };
}

function image(contentType: string, width: number, height: number): DetectResult {
  if (width < 1 || height < 1) return { ok: false, reason: 'is an image without a size' };
  if (width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE || width * height > MAX_IMAGE_PIXELS) return { ok: false, reason: `is an image larger than ${MAX_IMAGE_SIDE} pixels a side` };
  return { ok: true, file: { contentType, inline: true, width, height } };
}

/** Plain text: valid UTF-8 without control characters other than tab and line breaks. */
function text(b: Buffer): DetectResult | undefined {
  let decoded: string;
  try {
    decoded = new TextDecoder('utf-8', { fatal: true }).decode(b);
  } catch {
    return undefined;
  }
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(decoded)) return undefined;
  // Markup is refused even as text: an HTML or SVG file has no business in a chat, and a browser or mail client
  // that ignores the declared type must find nothing to run.
  if (/^\s*</.test(decoded) || /<\s*(script|html|svg|iframe|object|embed)\b/i.test(decoded)) return { ok: false, reason: 'looks like HTML or XML, which is not accepted' };
  return { ok: true, file: { contentType: 'text/plain; charset=utf-8', inline: false, width: null, height: null } };
}

/** Detects and checks an upload; `reason` completes "the file …" in an error message. */
export function detectFile(b: Buffer): DetectResult {
  if (b.length === 0) return { ok: false, reason: 'is empty' };
  for (const check of [png, jpeg, gif, webp]) {
    const result = check(b);
    if (result) return result;
  }
  if (b.toString('latin1', 0, 5) === '%PDF-') return { ok: true, file: { contentType: 'application/pdf', inline: false, width: null, height: null } };
  if (startsWith(b, [0x50, 0x4b, 0x03, 0x04])) return { ok: true, file: { contentType: 'application/zip', inline: false, width: null, height: null } };
  return text(b) ?? { ok: false, reason: 'is of a type that is not accepted (images, PDF, ZIP and plain text are)' };
}

/** A file name safe to store and show: no path, no control characters, at most 200 characters. */
export function cleanFileName(raw: string): string {
  // eslint-disable-next-line no-control-regex
  const base = raw.split(/[\\/]/).pop()!.replace(/[\x00-\x1f\x7f]/g, '').trim();
  return (base || 'file').slice(0, 200);
}

/** Content-Disposition with an RFC 6266 / RFC 5987 UTF-8 file name and an ASCII fallback. */
export function contentDisposition(kind: 'inline' | 'attachment', fileName: string): string {
  // Quotes, backslashes and angle brackets become _ in the ASCII fallback; the exact name travels in filename*.
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\%;<>]/g, '_');
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

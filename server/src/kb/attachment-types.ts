// What a file uploaded into an article is, decided from its bytes (never from the uploader's name or header),
// and whether the knowledge base takes it. Raster images are shown in pages; SVG is refused (it can carry
// script); PDFs, Office documents and plain text are served as downloads.

export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;

export interface DetectedFile {
  contentType: string;
  /** Shown in the page (img) rather than downloaded. */
  inline: boolean;
}

export type Detection = { ok: true; file: DetectedFile } | { ok: false; reason: string };

const starts = (b: Buffer, bytes: number[], at = 0) => b.length >= at + bytes.length && bytes.every((x, i) => b[at + i] === x);

const officeTypes: Record<string, string> = {
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
};

export function detectAttachment(b: Buffer, fileName: string): Detection {
  if (b.length === 0) return { ok: false, reason: 'is empty' };
  if (b.length > MAX_ATTACHMENT_BYTES) return { ok: false, reason: `is larger than ${MAX_ATTACHMENT_BYTES / 1024 / 1024} MB` };
  if (starts(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { ok: true, file: { contentType: 'image/png', inline: true } };
  if (starts(b, [0xff, 0xd8, 0xff])) return { ok: true, file: { contentType: 'image/jpeg', inline: true } };
  if (b.toString('latin1', 0, 6) === 'GIF87a' || b.toString('latin1', 0, 6) === 'GIF89a') return { ok: true, file: { contentType: 'image/gif', inline: true } };
  if (b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP') return { ok: true, file: { contentType: 'image/webp', inline: true } };
  if (b.toString('latin1', 0, 5) === '%PDF-') return { ok: true, file: { contentType: 'application/pdf', inline: false } };
  if (starts(b, [0x50, 0x4b, 0x03, 0x04])) {
    // A zip: only Office documents (they carry [Content_Types].xml); the extension names which one.
    const ext = /\.([a-z]+)$/i.exec(fileName)?.[1]?.toLowerCase() ?? '';
    if (officeTypes[ext] && b.includes('[Content_Types].xml')) return { ok: true, file: { contentType: officeTypes[ext]!, inline: false } };
    return { ok: false, reason: 'is an archive; only images, PDF, Office documents and plain text are accepted' };
  }
  const head = b.subarray(0, 4096);
  if (!head.includes(0) && isUtf8(b)) {
    if (/^\s*<(\?xml|svg|!doctype|html)/i.test(head.toString('utf8'))) return { ok: false, reason: 'is SVG or HTML, which can carry script; upload a PNG or JPEG instead' };
    return { ok: true, file: { contentType: 'text/plain; charset=utf-8', inline: false } };
  }
  return { ok: false, reason: 'is not an accepted type (PNG, JPEG, GIF, WebP, PDF, DOCX, XLSX, PPTX or plain text)' };
}

function isUtf8(b: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(b);
    return true;
  } catch {
    return false;
  }
}

/** A file name safe to keep and to send back in Content-Disposition: no paths, no control characters. */
export function cleanFileName(raw: string): string {
  const base = raw.split(/[/\\]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const clean = base.replace(/[\u0000-\u001f\u007f"]/g, '').trim().slice(0, 200);
  return clean === '' || clean === '.' || clean === '..' ? 'file' : clean;
}

/** RFC 6266: an ASCII fallback plus the UTF-8 name (Chinese file names survive). */
export function contentDisposition(kind: 'inline' | 'attachment', fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/[\\"]/g, '_');
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

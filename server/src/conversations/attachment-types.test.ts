import { describe, expect, test } from 'vitest';
import { cleanFileName, contentDisposition, detectFile } from './attachment-types.ts';

const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAYAAABytg0kAAAAFklEQVR4nGP8z8DwnwEIGBkZGRgAAB4LAgFDdI5fAAAAAElFTkSuQmCC', 'base64');
const gif = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

describe('detectFile', () => {
  test('a PNG is an inline image with its size', () => {
    expect(detectFile(png)).toEqual({ ok: true, file: { contentType: 'image/png', inline: true, width: 2, height: 2 } });
  });

  test('a GIF is an inline image with its size', () => {
    expect(detectFile(gif)).toMatchObject({ ok: true, file: { contentType: 'image/gif', width: 1, height: 1 } });
  });

  test('a PNG header followed by HTML is refused as damaged', () => {
    const polyglot = Buffer.concat([png.subarray(0, 8), Buffer.from('<html><script>alert(1)</script></html>')]);
    expect(detectFile(polyglot).ok).toBe(false);
  });

  test('a truncated PNG is refused', () => {
    expect(detectFile(png.subarray(0, png.length - 10))).toMatchObject({ ok: false, reason: 'is a truncated PNG image' });
  });

  test('HTML and SVG are refused even though they are text', () => {
    expect(detectFile(Buffer.from('<html><body>hi</body></html>')).ok).toBe(false);
    expect(detectFile(Buffer.from('  <svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>')).ok).toBe(false);
    expect(detectFile(Buffer.from('see <script>alert(1)</script>')).ok).toBe(false);
  });

  test('plain UTF-8 text is a download; binary without a known signature is refused', () => {
    expect(detectFile(Buffer.from('订单号 12345\n路由器红灯闪烁'))).toMatchObject({ ok: true, file: { contentType: 'text/plain; charset=utf-8', inline: false } });
    expect(detectFile(Buffer.from([0x4d, 0x5a, 0x90, 0x00, 0x03]))).toMatchObject({ ok: false });
    expect(detectFile(Buffer.alloc(0))).toEqual({ ok: false, reason: 'is empty' });
  });

  test('a PDF is a download', () => {
    expect(detectFile(Buffer.from('%PDF-1.7\n...'))).toMatchObject({ ok: true, file: { contentType: 'application/pdf', inline: false } });
  });
});

describe('file names', () => {
  test('paths and control characters are dropped', () => {
    expect(cleanFileName('..\\..\\windows\\evil\u0000.png')).toBe('evil.png');
    expect(cleanFileName('/etc/passwd')).toBe('passwd');
    expect(cleanFileName('   ')).toBe('file');
  });

  test('Content-Disposition quotes nothing a browser could misread and keeps the UTF-8 name', () => {
    expect(contentDisposition('attachment', '报告 "final";.pdf')).toBe(`attachment; filename="__ _final__.pdf"; filename*=UTF-8''${encodeURIComponent('报告 "final";.pdf')}`);
  });
});

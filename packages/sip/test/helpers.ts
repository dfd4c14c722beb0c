import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const testdata = path.resolve(root, '../shared/testdata/sip');

export function rfc4475(name: string): Buffer {
  return readFileSync(path.join(testdata, 'rfc4475', name));
}

/** RFC 5118 files with Content-Length recomputed (the stored copies carry wrong values, see their README). */
export function rfc5118(name: string): Buffer {
  const raw = readFileSync(path.join(testdata, 'rfc5118', name));
  const sep = raw.indexOf('\r\n\r\n');
  const head = raw.subarray(0, sep).toString('utf8');
  const body = raw.subarray(sep + 4);
  const fixed = head.replace(/^Content-Length:.*$/im, `Content-Length: ${body.length}`);
  return Buffer.concat([Buffer.from(`${fixed}\r\n\r\n`), body]);
}

export const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');

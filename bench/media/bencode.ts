/** Minimal bencode for rtpengine's ng control protocol. */
export type BValue = string | number | BValue[] | { [k: string]: BValue };

export function bencode(v: BValue): Buffer {
  if (typeof v === 'number') return Buffer.from(`i${Math.trunc(v)}e`);
  if (typeof v === 'string') {
    const b = Buffer.from(v);
    return Buffer.concat([Buffer.from(`${b.length}:`), b]);
  }
  if (Array.isArray(v)) return Buffer.concat([Buffer.from('l'), ...v.map(bencode), Buffer.from('e')]);
  const keys = Object.keys(v).sort();
  return Buffer.concat([Buffer.from('d'), ...keys.flatMap((k) => [bencode(k), bencode(v[k]!)]), Buffer.from('e')]);
}

export function bdecode(buf: Buffer): BValue {
  let i = 0;
  const next = (): BValue => {
    const c = String.fromCharCode(buf[i]!);
    if (c === 'i') {
      const end = buf.indexOf(0x65, i);
      const n = Number(buf.toString('latin1', i + 1, end));
      i = end + 1;
      return n;
    }
    if (c === 'l') {
      i++;
      const out: BValue[] = [];
      while (buf[i] !== 0x65) out.push(next());
      i++;
      return out;
    }
    if (c === 'd') {
      i++;
      const out: Record<string, BValue> = {};
      while (buf[i] !== 0x65) {
        const k = next() as string;
        out[k] = next();
      }
      i++;
      return out;
    }
    const colon = buf.indexOf(0x3a, i);
    const len = Number(buf.toString('latin1', i, colon));
    const s = buf.toString('utf8', colon + 1, colon + 1 + len);
    i = colon + 1 + len;
    return s;
  };
  return next();
}

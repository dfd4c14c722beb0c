import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { afterAll, describe, expect, test } from 'vitest';
import { BlobKeyError, LocalBlobStore } from './blob-store.ts';

const root = await fs.mkdtemp(path.join(os.tmpdir(), 'kefu-blobs-'));
afterAll(() => fs.rm(root, { recursive: true, force: true }));

describe('local blob store', () => {
  const store = new LocalBlobStore(root);

  test('stores a buffer and a stream, reports size and sha256, and reads them back', async () => {
    const a = await store.put('t1/recordings/a.wav', Buffer.from('录音 audio'));
    expect(a.size).toBe(Buffer.byteLength('录音 audio'));
    expect(a.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(await text(await store.get('t1/recordings/a.wav'))).toBe('录音 audio');
    const b = await store.put('t1/b.txt', Readable.from(['x'.repeat(100_000), 'y']));
    expect(b.size).toBe(100_001);
    expect((await store.stat('t1/b.txt'))?.size).toBe(100_001);
  });

  test('leaves no partial file behind when the source stream fails', async () => {
    const failing = new Readable({
      read() {
        this.destroy(new Error('source broke'));
      },
    });
    await expect(store.put('t1/broken.bin', failing)).rejects.toThrow(/source broke/);
    expect(await store.stat('t1/broken.bin')).toBeUndefined();
    const files = await fs.readdir(path.join(root, 't1'));
    expect(files.filter((f) => f.endsWith('.part'))).toEqual([]);
  });

  test('refuses keys that could escape its directory', async () => {
    for (const key of ['../etc/passwd', '/abs', 't1/../../x', 't1//x', '.hidden', 't1/./x']) {
      await expect(store.put(key, Buffer.from('x')), key).rejects.toBeInstanceOf(BlobKeyError);
    }
  });

  test('deleting removes the blob and is idempotent', async () => {
    await store.put('t2/x', Buffer.from('x'));
    await store.delete('t2/x');
    await store.delete('t2/x');
    expect(await store.stat('t2/x')).toBeUndefined();
  });
});

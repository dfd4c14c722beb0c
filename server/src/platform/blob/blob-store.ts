// Recordings and attachments go through a BlobStore: a local directory by default, S3-compatible storage in a
// cluster (a later adapter behind the same interface). Keys are tenant-prefixed paths chosen by Kefu.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface BlobInfo {
  key: string;
  size: number;
  sha256: string;
}

export interface BlobStore {
  put(key: string, data: Buffer | Readable): Promise<BlobInfo>;
  get(key: string): Promise<Readable>;
  stat(key: string): Promise<{ size: number } | undefined>;
  delete(key: string): Promise<void>;
}

const KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/;

export class BlobKeyError extends Error {
  constructor(key: string) {
    super(`invalid blob key: ${JSON.stringify(key)}`);
    this.name = 'BlobKeyError';
  }
}

export class LocalBlobStore implements BlobStore {
  constructor(private readonly root: string) {}

  private resolve(key: string): string {
    if (!KEY_PATTERN.test(key) || key.split('/').some((part) => part === '..' || part === '.') || key.length > 512) throw new BlobKeyError(key);
    return path.join(this.root, key);
  }

  /** Writes to a temporary file and renames it into place, so a crash never leaves a half-written blob. */
  async put(key: string, data: Buffer | Readable): Promise<BlobInfo> {
    const file = this.resolve(key);
    await fs.mkdir(path.dirname(file), { recursive: true });
    const temp = `${file}.${randomBytes(6).toString('hex')}.part`;
    const hash = createHash('sha256');
    let size = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        size += chunk.length;
        done(null, chunk);
      },
    });
    try {
      const out = createWriteStream(temp, { mode: 0o640 });
      await pipeline(Buffer.isBuffer(data) ? Readable.from([data]) : data, counter, out);
      const handle = await fs.open(temp, 'r');
      await handle.sync();
      await handle.close();
      await fs.rename(temp, file);
    } catch (err) {
      await fs.rm(temp, { force: true });
      throw err;
    }
    return { key, size, sha256: hash.digest('hex') };
  }

  async get(key: string): Promise<Readable> {
    const file = this.resolve(key);
    await fs.access(file);
    return createReadStream(file);
  }

  async stat(key: string): Promise<{ size: number } | undefined> {
    try {
      const s = await fs.stat(this.resolve(key));
      return { size: s.size };
    } catch (err) {
      if (err instanceof BlobKeyError) throw err;
      return undefined;
    }
  }

  async delete(key: string): Promise<void> {
    await fs.rm(this.resolve(key), { force: true });
  }
}

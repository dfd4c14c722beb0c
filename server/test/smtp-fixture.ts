// A real SMTP server on loopback for mail tests (npm smtp-server): STARTTLS with a self-signed certificate made by
// openssl for this run, AUTH PLAIN/LOGIN only after STARTTLS, and every message kept raw and parsed (mailparser).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  parsed: ParsedMail;
  /** The connection was upgraded with STARTTLS before the message. */
  secure: boolean;
  user: string | undefined;
}

export interface TestSmtp {
  port: number;
  user: string;
  pass: string;
  received: ReceivedMail[];
  /** Waits for the n-th message (1-based). */
  waitFor(count: number, ms?: number): Promise<ReceivedMail>;
  close(): Promise<void>;
}

export async function startSmtp(options: { user?: string; pass?: string } = {}): Promise<TestSmtp> {
  const user = options.user ?? 'kefu-mailer';
  const pass = options.pass ?? 'S3cret-smtp-密码';
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kefu-smtp-'));
  const keyFile = path.join(dir, 'key.pem');
  const certFile = path.join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  const received: ReceivedMail[] = [];
  const waiters = new Set<() => void>();
  const server = new SMTPServer({
    key: await fs.readFile(keyFile),
    cert: await fs.readFile(certFile),
    authMethods: ['PLAIN', 'LOGIN'],
    // AUTH is refused on a clear-text connection: a client must STARTTLS first.
    allowInsecureAuth: false,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === user && auth.password === pass) return callback(null, { user: auth.username });
      return callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        void simpleParser(raw).then((parsed) => {
          received.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: raw.toString('utf8'),
            parsed,
            secure: session.secure,
            user: session.user as string | undefined,
          });
          for (const w of [...waiters]) w();
          callback();
        }, callback);
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    user,
    pass,
    received,
    waitFor(count, ms = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (received.length < count) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(received[count - 1]!);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for mail ${count}; have ${received.length}`));
        }, ms);
        waiters.add(check);
        check();
      });
    },
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

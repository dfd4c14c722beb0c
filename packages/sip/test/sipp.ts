// Running sipp from tests: a free port, a temp working directory, a hard timeout, exit code and statistics.
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export interface SippResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export async function runSipp(args: string[], timeoutMs = 30_000, port?: number): Promise<SippResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 'kefu-sipp-'));
  port ??= await freeUdpPort();
  const child = spawn('sipp', ['-i', '127.0.0.1', '-p', String(port), '-nostdin', '-timeout', `${Math.floor(timeoutMs / 1000)}s`, ...args], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs + 5000);
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  clearTimeout(timer);
  rmSync(dir, { recursive: true, force: true });
  return { code, stdout, stderr };
}

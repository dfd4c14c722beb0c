// Debian's nats-server on a free loopback port, for the multi-node tests.
import { spawn } from 'node:child_process';
import net from 'node:net';
import { freePort } from '../src/platform/db/embedded-postgres.ts';

export interface TestNatsServer {
  url: string;
  port: number;
  /** Kills the server (SIGKILL when `hard`, as a crash would). */
  stop(hard?: boolean): void;
}

async function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.end();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

export async function startNatsServer(timeoutMs = 10_000): Promise<TestNatsServer> {
  const port = await freePort();
  const child = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const until = Date.now() + timeoutMs;
  while (!(await listening(port))) {
    if (child.exitCode !== null || Date.now() > until) {
      child.kill('SIGKILL');
      throw new Error(`nats-server did not listen on ${port} (is the Debian package nats-server installed?)`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url: `nats://127.0.0.1:${port}`, port, stop: (hard = false) => child.kill(hard ? 'SIGKILL' : 'SIGTERM') };
}

/** Runs Debian's rtpengine in userspace forwarding mode and drives it over the ng protocol (bencode/UDP). */
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import { bdecode, bencode, type BValue } from './bencode.ts';

export class RtpEngine {
  private cookie = 0;
  private readonly waiting = new Map<string, (v: Record<string, BValue>) => void>();

  private constructor(private readonly proc: ChildProcess, private readonly sock: dgram.Socket, private readonly ngPort: number) {
    sock.on('message', (m) => {
      const sp = m.indexOf(0x20);
      const cookie = m.toString('latin1', 0, sp);
      this.waiting.get(cookie)?.(bdecode(m.subarray(sp + 1)) as Record<string, BValue>);
      this.waiting.delete(cookie);
    });
  }

  static async start(ngPort: number, portMin: number, portMax: number): Promise<RtpEngine> {
    const proc = spawn('rtpengine', ['--interface=127.0.0.1', `--listen-ng=127.0.0.1:${ngPort}`, '--foreground', '--log-stderr', '--log-level=3',
      '--table=-1', `--port-min=${portMin}`, `--port-max=${portMax}`, '--num-threads=2', '--delete-delay=0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    proc.stderr!.on('data', () => undefined);
    const sock = dgram.createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
    const e = new RtpEngine(proc, sock, ngPort);
    for (let i = 0; i < 50; i++) {
      try {
        const r = await e.command({ command: 'ping' }, 200);
        if (r.result === 'pong') return e;
      } catch {
        /* not up yet */
      }
    }
    throw new Error('rtpengine did not answer ping');
  }

  command(d: Record<string, BValue>, timeoutMs = 5000): Promise<Record<string, BValue>> {
    const cookie = `c${++this.cookie}`;
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.waiting.delete(cookie);
        reject(new Error(`rtpengine ${String(d.command)} timed out`));
      }, timeoutMs);
      this.waiting.set(cookie, (v) => {
        clearTimeout(t);
        resolve(v);
      });
      this.sock.send(Buffer.concat([Buffer.from(`${cookie} `), bencode(d)]), this.ngPort, '127.0.0.1');
    });
  }

  /** CPU seconds used so far (utime + stime from /proc). */
  cpuSeconds(): number {
    const f = readFileSync(`/proc/${this.proc.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  }

  async stop(): Promise<void> {
    this.sock.close();
    this.proc.kill('SIGTERM');
    await new Promise((r) => this.proc.once('exit', r));
  }
}

export function sdpFor(port: number, session: number): string {
  return `v=0\r\no=- ${session} 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio ${port} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n`;
}

export function portOf(sdp: string): number {
  return Number(/m=audio (\d+)/.exec(sdp)?.[1]);
}

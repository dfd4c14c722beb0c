// A headless baresip 1.0 driven from tests (the SIP stack's interop tests and the voice service's call tests): its
// own temp config dir, ctrl_tcp netstring JSON commands and events, a sine source of a chosen frequency, what it
// heard (the sndfile module's decoded dump), and DTMF it sends (RFC 4733, the menu's `sndcode`).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

async function freeTcpPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export interface BaresipEvent {
  type?: string;
  [k: string]: unknown;
}

export class Baresip {
  private child: ChildProcess | undefined;
  private ctrl: net.Socket | undefined;
  private buf = '';
  readonly events: BaresipEvent[] = [];
  output = '';
  private constructor(readonly dir: string) {}

  /** Starts baresip with one account `aor` (e.g. <sip:1002@127.0.0.1:5060;transport=udp>;auth_pass=pw). */
  static async start(account: string, toneHz = 440): Promise<Baresip> {
    // baresip also binds TLS on sip_listen + 1, which a free-port probe cannot reserve: another process may
    // hold it. Such a start fails with "Address already in use"; try again with new ports.
    for (let attempt = 1; ; attempt++) {
      try {
        return await Baresip.startOnce(account, toneHz);
      } catch (err) {
        if (attempt >= 4 || !String(err).includes('Address already in use')) throw err;
      }
    }
  }

  private static async startOnce(account: string, toneHz: number): Promise<Baresip> {
    const dir = mkdtempSync(path.join(tmpdir(), 'kefu-baresip-'));
    const b = new Baresip(dir);
    const wav = path.join(dir, 'tone.wav');
    // A long source: baresip hangs up when the aufile source ends.
    spawnSync('sox', ['-n', '-r', '8000', '-c', '1', '-b', '16', wav, 'synth', '120', 'sine', String(toneHz), 'vol', '0.5']);
    const sipPort = await freeTcpPort();
    const ctrlPort = await freeTcpPort();
    const consPort = await freeTcpPort();
    writeFileSync(
      path.join(dir, 'config'),
      [
        'poll_method epoll',
        'net_interface 127.0.0.1',
        `sip_listen 127.0.0.1:${sipPort}`,
        'call_local_timeout 120',
        `audio_source aufile,${wav}`,
        `audio_player aufile,${path.join(dir, 'out.wav')}`,
        'audio_alert aufile,/dev/null',
        'module_path /usr/lib/baresip/modules',
        'module g711.so',
        'module aufile.so',
        'module sndfile.so',
        'module ctrl_tcp.so',
        'module cons.so',
        'module_app account.so',
        'module_app contact.so',
        'module_app menu.so', // dial, hold and hangup are menu commands in baresip 1.0
        `ctrl_tcp_listen 127.0.0.1:${ctrlPort}`,
        `cons_listen 127.0.0.1:${consPort}`,
        '',
      ].join('\n'),
    );
    writeFileSync(path.join(dir, 'accounts'), `${account}\n`);
    writeFileSync(path.join(dir, 'contacts'), '');
    b.child = spawn('baresip', ['-f', dir], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    b.child.stdout!.on('data', (d: Buffer) => (b.output += d.toString()));
    b.child.stderr!.on('data', (d: Buffer) => (b.output += d.toString()));
    for (let i = 0; i < 100 && !b.ctrl; i++) {
      await new Promise((r) => setTimeout(r, 100));
      if (b.child.exitCode !== null) break; // it gave up (e.g. a port in use): no point waiting
      try {
        b.ctrl = await new Promise<net.Socket>((resolve, reject) => {
          const s = net.connect(ctrlPort, '127.0.0.1', () => resolve(s));
          s.once('error', reject);
        });
      } catch {
        b.ctrl = undefined;
      }
    }
    if (!b.ctrl) {
      b.child.kill('SIGKILL');
      throw new Error(`baresip ctrl_tcp did not come up: ${b.output}`);
    }
    b.ctrl.on('data', (d: Buffer) => b.onData(d.toString('utf8')));
    b.ctrl.on('error', () => {});
    return b;
  }

  private onData(s: string): void {
    this.buf += s;
    for (;;) {
      const colon = this.buf.indexOf(':');
      if (colon < 0) return;
      const len = Number(this.buf.slice(0, colon));
      if (this.buf.length < colon + 1 + len + 1) return;
      const json = this.buf.slice(colon + 1, colon + 1 + len);
      this.buf = this.buf.slice(colon + 1 + len + 1);
      try {
        this.events.push(JSON.parse(json) as BaresipEvent);
      } catch {
        /* ignore */
      }
    }
  }

  command(command: string, params?: string): void {
    const json = JSON.stringify(params === undefined ? { command } : { command, params });
    this.ctrl!.write(`${Buffer.byteLength(json)}:${json},`);
  }

  async waitForEvent(type: string, timeoutMs = 15_000): Promise<BaresipEvent> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      const e = this.events.find((x) => x.type === type);
      if (e) return e;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`no ${type} event; events: ${JSON.stringify(this.events)}; output: ${this.output.slice(-3000)}`);
  }

  /** Sends DTMF digits in the current call (RFC 4733 telephone-events), one at a time like a person pressing keys. */
  async sendDtmf(digits: string, gapMs = 250): Promise<void> {
    for (const d of digits) {
      this.command('sndcode', d);
      await new Promise((r) => setTimeout(r, gapMs));
    }
  }

  /** The WAV of what the phone received and decoded in its last call (baresip's sndfile module dumps it). */
  heardFile(): string {
    const dumps = readdirSync(this.dir).filter((f) => f.endsWith('-dec.wav')).sort();
    if (!dumps.length) throw new Error(`baresip dumped no received audio: ${readdirSync(this.dir).join(', ')}`);
    return path.join(this.dir, dumps[dumps.length - 1]!);
  }

  async stop(): Promise<void> {
    this.ctrl?.destroy();
    if (this.child && this.child.exitCode === null) {
      const exited = new Promise((r) => this.child!.once('exit', r));
      this.child.kill('SIGTERM');
      const t = setTimeout(() => this.child?.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(t);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

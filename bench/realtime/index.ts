// bench/realtime: WebSocket connections held by one server process (memory per connection) and chat fan-out
// latency, for Kefu (widget gateway + agent realtime socket, messages stored with sequence numbers) and, in the same
// run, a plain `ws` broadcast server doing the same fan-out (the ratio is Kefu's overhead).
//
//   npm run bench -- realtime [--visitors 5000] [--chats 100] [--watchers 200] [--messages 2000] [--rate 200]
//
// Each server runs in a child process (bench/realtime/server.ts); its RSS is read from /proc before and after the
// visitors connect. Visitors connect from many loopback addresses (127.0.x.y), as real visitors come from many
// addresses (Kefu limits connections per address). In Kefu a message is an agent's POST /api/v1/chats/:id/messages
// (stored, sequence-numbered) fanned out over the hub to the visitor's socket and the watchers' agent sockets; in
// the plain server it is a `say` frame broadcast to the room (visitor + watchers). Latency: send → the visitor has it.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const VISITORS = arg('visitors', 5000);
const CHATS = arg('chats', 100);
const WATCHERS = arg('watchers', 200);
const MESSAGES = arg('messages', 2000);
const RATE = arg('rate', 200);
/** `--profile <dir>`: a V8 CPU profile of the Kefu server during the message phase only (server.ts). */
/** `--statements`: log (stderr) the SQL statements of the message phase by count, to see where round trips go. */
const STATEMENTS = process.argv.includes('--statements');
const PROFILE_DIR = process.argv.includes('--profile') ? process.argv[process.argv.indexOf('--profile') + 1] : undefined;
const PASSWORD = 'bench-password-1';
const here = path.dirname(fileURLToPath(import.meta.url));
const log = (...a: unknown[]) => console.error('[bench/realtime]', ...a);

interface Server {
  child: ChildProcess;
  url: string;
  /** Kefu's data directory (the embedded PostgreSQL's is `<dataDir>/pg`). */
  dataDir?: string;
  /** Sends one control line (server.ts) and resolves with the next JSON line the server prints. */
  command(line: string): Promise<any>;
}

function startServer(kind: 'kefu' | 'ws'): Promise<Server> {
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', path.join(here, 'server.ts'), kind, ...(STATEMENTS ? ['--statements'] : [])], { stdio: ['pipe', 'pipe', 'inherit'] });
  const waiting: ((m: unknown) => void)[] = [];
  return new Promise((resolve, reject) => {
    let buffer = '';
    let started = false;
    child.stdout!.on('data', (d: Buffer) => {
      buffer += String(d);
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      for (const line of lines.filter((l) => l.startsWith('{'))) {
        const m = JSON.parse(line) as { url?: string; dataDir?: string };
        if (!started && m.url) {
          started = true;
          resolve({
            child,
            url: m.url,
            dataDir: m.dataDir,
            command: (text) => new Promise((r) => {
              waiting.push(r);
              child.stdin!.write(`${text}\n`);
            }),
          });
        } else waiting.shift()?.(m);
      }
    });
    child.once('exit', (code) => reject(new Error(`${kind} server exited with ${code}`)));
  });
}

const TICK_MS = 1000 / 100; // /proc/<pid>/stat counts CPU in clock ticks (USER_HZ, 100 on Linux)
/** User + system CPU of one process, in ms. */
const cpuMs = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS; // utime, stime (fields 14 and 15 of stat)
};
/**
 * CPU of the embedded PostgreSQL server (postmaster and backends), in ms. The postmaster is re-parented to init,
 * so it is found by its data directory on the command line, and the backends as its children.
 */
function postgresCpuMs(dataDir: string): number {
  const parent = new Map<number, number>();
  let postmaster: number | undefined;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      parent.set(Number(entry), Number(readFileSync(`/proc/${entry}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')[1]));
      if (postmaster === undefined && readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').includes(path.join(dataDir, 'pg'))) postmaster = Number(entry);
    } catch {
      /* exited meanwhile */
    }
  }
  if (postmaster === undefined) return NaN;
  let total = 0;
  for (const [p, up] of parent) {
    if (p !== postmaster && up !== postmaster) continue;
    try {
      total += cpuMs(p);
    } catch {
      /* exited meanwhile */
    }
  }
  return total;
}

interface Meter {
  statements?: Record<string, number>;
  serverCpuMs: number;
  postgresCpuMs: number;
  queries: number;
  at: number;
}
async function meter(server: Server, withDatabase: boolean): Promise<Meter> {
  const stats = withDatabase ? ((await server.command('stats')) as { stats: { queries: number; statements?: Record<string, number> } }).stats : { queries: 0 };
  const queries = stats.queries;
  return { statements: stats.statements, serverCpuMs: cpuMs(server.child.pid!), postgresCpuMs: withDatabase && server.dataDir ? postgresCpuMs(server.dataDir) : 0, queries, at: performance.now() };
}
/** Cost of the message phase per message, after taking off what the idle server spends in the same time. */
function perMessage(idle: [Meter, Meter], phase: [Meter, Meter], messages: number) {
  const idleSeconds = (idle[1].at - idle[0].at) / 1000;
  const phaseSeconds = (phase[1].at - phase[0].at) / 1000;
  const per = (k: 'serverCpuMs' | 'postgresCpuMs' | 'queries') => {
    const background = ((idle[1][k] - idle[0][k]) / idleSeconds) * phaseSeconds;
    return Math.round(((phase[1][k] - phase[0][k] - background) / messages) * 100) / 100;
  };
  return {
    serverCpuMs: per('serverCpuMs'),
    postgresCpuMs: per('postgresCpuMs'),
    dbRoundTrips: per('queries'),
    idlePerSecond: {
      serverCpuMs: Math.round((idle[1].serverCpuMs - idle[0].serverCpuMs) / idleSeconds),
      postgresCpuMs: Math.round((idle[1].postgresCpuMs - idle[0].postgresCpuMs) / idleSeconds),
      dbRoundTrips: Math.round((idle[1].queries - idle[0].queries) / idleSeconds),
    },
  };
}

/** JS heap + external memory of the server after a full GC, in kB: what the sockets keep alive, without garbage. */
const liveKb = async (server: Server) => {
  const { memory } = (await server.command('memory')) as { memory: { heapUsed: number; external: number } };
  return (memory.heapUsed + memory.external) / 1024;
};
const rssKb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The n-th visitor's source address: 50 per address, as if from many homes. */
const sourceAddress = (n: number) => `127.0.${1 + Math.floor(n / 50 / 250)}.${1 + (Math.floor(n / 50) % 250)}`;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! * 100) / 100;
}

/** Opens sockets `count` at a time and waits until each is ready (`ready` resolves per socket). */
async function openMany<T>(total: number, open: (n: number) => Promise<T>, concurrency = 100): Promise<T[]> {
  const out: T[] = new Array(total);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const n = next++;
        out[n] = await open(n);
      }
    }),
  );
  return out;
}

/** Sends `MESSAGES` at `RATE` per second, `send(i)` resolving once the server accepted it. */
async function paced(send: (i: number) => Promise<void>): Promise<void> {
  const started = performance.now();
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < MESSAGES; i++) {
    const due = started + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    inflight.push(send(i));
  }
  await Promise.all(inflight);
}

// Kefu

class Http {
  cookie = '';
  csrf = '';
  constructor(readonly base: string) {}
  async call(method: string, url: string, body?: unknown): Promise<any> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.cookie) headers.cookie = this.cookie;
    if (this.csrf && method !== 'GET') headers['x-csrf-token'] = this.csrf;
    const r = await fetch(this.base + url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const set = r.headers.get('set-cookie');
    if (set?.startsWith('kefu_session=')) this.cookie = set.split(';')[0]!;
    const json = (await r.json().catch(() => undefined)) as any;
    if (json?.csrfToken) this.csrf = json.csrfToken;
    if (!r.ok) throw new Error(`${method} ${url}: ${r.status} ${JSON.stringify(json)}`);
    return json;
  }
  static async login(base: string, email: string) {
    const h = new Http(base);
    await h.call('POST', '/api/v1/auth/login', { email, password: PASSWORD });
    return h;
  }
}

function agentSocket(base: string, cookie: string, onEvent: (name: string, data: any) => void): Promise<{ ws: WebSocket; request(method: string, params: unknown): Promise<any>; subscribe(topic: string): Promise<any> }> {
  const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/api/v1/realtime`, { headers: { cookie } });
  const pending = new Map<string, (m: any) => void>();
  let id = 0;
  ws.on('message', (data) => {
    const m = JSON.parse(String(data));
    if (m.type === 'event') onEvent(m.name, m.data);
    else if (m.type === 'reply') pending.get(m.id)?.(m);
  });
  const call = (msg: Record<string, unknown>) =>
    new Promise<any>((resolve) => {
      const key = String(++id);
      pending.set(key, resolve);
      ws.send(JSON.stringify({ ...msg, id: key }));
    });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, request: (method, params) => call({ type: 'request', method, params }), subscribe: (topic) => call({ type: 'subscribe', topic }) }));
    ws.once('error', reject);
  });
}

async function benchKefu() {
  const server = await startServer('kefu');
  const { child, url } = server;
  try {
    const admin = await Http.login(url, 'admin@demo.kefu');
    const widget = ((await admin.call('GET', '/api/v1/webchat/widgets')) as { id: string; allowedOrigins: string[] }[])[0]!;
    const agents: { http: Http; id: string }[] = [];
    for (const email of ['agent1@demo.kefu', 'agent2@demo.kefu', 'agent3@demo.kefu']) {
      const http = await Http.login(url, email);
      const id = (await http.call('GET', '/api/v1/me')).user.id as string;
      await admin.call('PATCH', `/api/v1/routing/agents/${id}`, { capacity: { chat: 50 } });
      agents.push({ http, id });
    }
    const agentOf = new Map<string, Http>();
    for (const a of agents) {
      const s = await agentSocket(url, a.http.cookie, (name, data) => {
        if (name === 'offer' && data.channel === 'chat') void s.request('offer.accept', { offerId: data.offerId });
        if (name === 'chat.assigned') agentOf.set(data.interactionId, a.http);
      });
      await s.request('agent.set_state', { state: 'available' });
    }

    await sleep(2000);
    const liveBefore = await liveKb(server);
    const before = rssKb(child.pid!);
    const t0 = performance.now();
    const latencies: number[] = [];
    const sentAt = new Map<string, number>();
    const visitors = await openMany(VISITORS, (n) => {
      const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/api/v1/webchat/socket?widget=${widget.id}`, { localAddress: sourceAddress(n) });
      const v = { ws, interactionId: null as string | null };
      ws.on('message', (data) => {
        const m = JSON.parse(String(data));
        if (m.type === 'message' && m.message.sender === 'agent') {
          const at = sentAt.get(m.message.clientMessageId);
          if (at !== undefined) latencies.push(performance.now() - at);
          ws.send(JSON.stringify({ type: 'ack', seq: m.message.seq }));
        } else if (m.type === 'status' && !v.interactionId) v.interactionId = 'pending';
      });
      return new Promise<typeof v>((resolve, reject) => {
        ws.once('open', () => ws.send(JSON.stringify({ type: 'hello', token: null, hostOrigin: widget.allowedOrigins[0], lastSeq: 0 })));
        ws.once('message', () => resolve(v));
        ws.once('error', reject);
      });
    });
    const connectSeconds = (performance.now() - t0) / 1000;
    await sleep(3000);
    const after = rssKb(child.pid!);
    const liveAfter = await liveKb(server);
    log(`kefu: ${VISITORS} visitors in ${connectSeconds.toFixed(1)} s, RSS ${before} → ${after} kB`);

    // CHATS of them start a chat; routing offers them to the three agents, who accept.
    for (let i = 0; i < CHATS; i++) visitors[i]!.ws.send(JSON.stringify({ type: 'start', prechat: { name: `Visitor ${i}` } }));
    for (let i = 0; i < 600 && agentOf.size < CHATS; i++) await sleep(100);
    const chats = [...agentOf.keys()];
    log(`kefu: ${chats.length} chats assigned`);
    // Watchers: agent sockets (a supervisor's session) each following one chat.
    let watched = 0;
    const watchers = await openMany(WATCHERS, async (n) => {
      const s = await agentSocket(url, admin.cookie, (name) => {
        if (name === 'chat.message') watched++;
      });
      await s.subscribe(`chat:${chats[n % chats.length]}`);
      return s;
    }, 20);

    // What the idle server spends (heartbeats, routing and outbox polls) is measured first and taken off.
    const idle0 = await meter(server, true);
    await sleep(3000);
    const idle1 = await meter(server, true);
    if (PROFILE_DIR) await server.command('profile-start');
    const phase0 = await meter(server, true);
    await paced(async (i) => {
      const interactionId = chats[i % chats.length]!;
      const clientMessageId = `m${i}`;
      sentAt.set(clientMessageId, performance.now());
      await agentOf.get(interactionId)!.call('POST', `/api/v1/chats/${interactionId}/messages`, { clientMessageId, text: `message ${i}` });
    });
    for (let i = 0; i < 100 && latencies.length < MESSAGES; i++) await sleep(100);
    await sleep(1000); // the visitors' delivery receipts (one per message) are part of a message's cost
    const phase1 = await meter(server, true);
    if (STATEMENTS) {
      const counts = Object.entries(phase1.statements ?? {}).map(([text, n]) => [text, n - (phase0.statements?.[text] ?? 0)] as const).filter(([, n]) => n > 0);
      for (const [text, n] of counts.sort((a, b) => b[1] - a[1]).slice(0, 30)) log(`${(n / MESSAGES).toFixed(2)}/msg  ${text}`);
    }
    if (PROFILE_DIR) log(`kefu: profile written`, await server.command(`profile-stop ${path.resolve(PROFILE_DIR, `kefu-${Date.now()}.cpuprofile`)}`));
    for (const v of visitors) v.ws.terminate();
    for (const w of watchers) w.ws.terminate();
    return {
      connections: VISITORS,
      connectSeconds: Math.round(connectSeconds * 10) / 10,
      rssBeforeKb: before,
      rssAfterKb: after,
      kbPerConnection: Math.round(((after - before) / VISITORS) * 10) / 10,
      heapKbPerConnection: Math.round(((liveAfter - liveBefore) / VISITORS) * 10) / 10,
      chats: chats.length,
      watchers: WATCHERS,
      messages: MESSAGES,
      delivered: latencies.length,
      watcherDeliveries: watched,
      latencyMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: percentile(latencies, 100) },
      perMessage: perMessage([idle0, idle1], [phase0, phase1], MESSAGES),
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

async function benchPlainWs() {
  const server = await startServer('ws');
  const { child, url } = server;
  try {
    await sleep(500);
    const liveBefore = await liveKb(server);
    const before = rssKb(child.pid!);
    const t0 = performance.now();
    const latencies: number[] = [];
    const sentAt = new Map<number, number>();
    const join = (ws: WebSocket, room: string) =>
      new Promise<void>((resolve) => {
        const on = (d: WebSocket.RawData) => {
          if (JSON.parse(String(d)).type === 'joined') {
            ws.off('message', on);
            resolve();
          }
        };
        ws.on('message', on);
        ws.send(JSON.stringify({ type: 'join', room }));
      });
    const visitors = await openMany(VISITORS, (n) => {
      const ws = new WebSocket(url, { localAddress: sourceAddress(n) });
      ws.on('message', (data) => {
        const m = JSON.parse(String(data));
        if (m.type === 'message') {
          const at = sentAt.get(m.payload.i);
          if (at !== undefined) latencies.push(performance.now() - at);
        }
      });
      return new Promise<WebSocket>((resolve, reject) => {
        ws.once('open', () => ws.send(JSON.stringify({ type: 'hello' })));
        ws.once('message', () => resolve(ws));
        ws.once('error', reject);
      });
    });
    const connectSeconds = (performance.now() - t0) / 1000;
    await sleep(3000);
    const after = rssKb(child.pid!);
    const liveAfter = await liveKb(server);
    log(`ws: ${VISITORS} visitors in ${connectSeconds.toFixed(1)} s, RSS ${before} → ${after} kB`);
    for (let i = 0; i < CHATS; i++) await join(visitors[i]!, `room${i}`);
    let watched = 0;
    const watchers = await openMany(WATCHERS, async (n) => {
      const ws = new WebSocket(url);
      await new Promise((r) => ws.once('open', r));
      ws.on('message', (d) => {
        if (JSON.parse(String(d)).type === 'message') watched++;
      });
      await join(ws, `room${n % CHATS}`);
      return ws;
    }, 20);
    const senders = await Promise.all([0, 1, 2].map(() => new Promise<WebSocket>((resolve) => {
      const ws = new WebSocket(url);
      ws.once('open', () => resolve(ws));
    })));
    const idle0 = await meter(server, false);
    await sleep(3000);
    const idle1 = await meter(server, false);
    const phase0 = await meter(server, false);
    await paced(async (i) => {
      sentAt.set(i, performance.now());
      senders[i % senders.length]!.send(JSON.stringify({ type: 'say', room: `room${i % CHATS}`, payload: { i, text: `message ${i}` } }));
    });
    for (let i = 0; i < 100 && latencies.length < MESSAGES; i++) await sleep(100);
    await sleep(1000);
    const phase1 = await meter(server, false);
    for (const ws of [...visitors, ...watchers, ...senders]) ws.terminate();
    return {
      connections: VISITORS,
      connectSeconds: Math.round(connectSeconds * 10) / 10,
      rssBeforeKb: before,
      rssAfterKb: after,
      kbPerConnection: Math.round(((after - before) / VISITORS) * 10) / 10,
      heapKbPerConnection: Math.round(((liveAfter - liveBefore) / VISITORS) * 10) / 10,
      chats: CHATS,
      watchers: WATCHERS,
      messages: MESSAGES,
      delivered: latencies.length,
      watcherDeliveries: watched,
      latencyMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: percentile(latencies, 100) },
      perMessage: (({ serverCpuMs, idlePerSecond }) => ({ serverCpuMs, idlePerSecond: { serverCpuMs: idlePerSecond.serverCpuMs } }))(perMessage([idle0, idle1], [phase0, phase1], MESSAGES)),
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

const loadBefore = os.loadavg()[0]!;
const kefu = await benchKefu();
const plain = await benchPlainWs();
console.log(
  JSON.stringify(
    {
      benchmark: 'realtime',
      at: new Date().toISOString(),
      machine: { cpus: os.cpus().length, loadAverage1mBefore: Math.round(loadBefore * 10) / 10, loadAverage1mAfter: Math.round(os.loadavg()[0]! * 10) / 10, node: process.version },
      note: 'Kefu: agent POST → stored with a sequence number → hub → visitor socket (+ watchers), visitor ack back; plain ws: frame → broadcast to the room. Same process layout, same run. perMessage: CPU of the server process (and of its PostgreSQL) and SQL statements (round trips) in the message phase per message, idle rate taken off; heapKbPerConnection: live heap + external after a full GC.',
      parameters: { visitors: VISITORS, chats: CHATS, watchers: WATCHERS, messages: MESSAGES, ratePerSecond: RATE },
      kefu,
      plainWs: plain,
      ratio: {
        kbPerConnection: Math.round((kefu.kbPerConnection / plain.kbPerConnection) * 10) / 10,
        heapKbPerConnection: Math.round((kefu.heapKbPerConnection / plain.heapKbPerConnection) * 10) / 10,
        p50: Math.round((kefu.latencyMs.p50 / plain.latencyMs.p50) * 10) / 10,
        p99: Math.round((kefu.latencyMs.p99 / plain.latencyMs.p99) * 10) / 10,
        serverCpuPerMessage: Math.round((kefu.perMessage.serverCpuMs / plain.perMessage.serverCpuMs) * 10) / 10,
      },
    },
    null,
    2,
  ),
);
process.exit(0);

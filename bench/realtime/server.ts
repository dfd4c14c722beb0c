// The server side of bench/realtime, run in a child process so that its memory is its own:
//   kefu  — a full Kefu (embedded PostgreSQL, demo tenant) whose widget gateway and agent socket carry the chats;
//   ws    — a plain `ws` server that keeps rooms and broadcasts each message to the sockets of its room.
// Prints one line of JSON ({ url }) once listening, then serves until killed. Lines on stdin control measurement:
//   `memory`             → { memory: { heapUsed, external, arrayBuffers } } after a full GC (live objects only);
//   `stats`              → one JSON line { stats: { queries } }: SQL statements sent to PostgreSQL so far (each one
//                          round trip: node-postgres does not pipeline), for "round trips per message";
//   `profile-start`      → starts the V8 CPU profiler (inspector) in this process;
//   `profile-stop <file>`→ writes the .cpuprofile there and answers { profiled: file }.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { WebSocketServer, type WebSocket } from 'ws';

const kind = process.argv[2];
let queries = 0;
/** With `--statements` on the command line: how often each statement text ran (the bench prints the top ones). */
const statements = process.argv.includes('--statements') ? new Map<string, number>() : undefined;
const inspector = new Session();
createInterface({ input: process.stdin }).on('line', (line) => {
  const [command, arg] = line.trim().split(/\s+/);
  if (command === 'memory') {
    (globalThis as { gc?: () => void }).gc?.(); // started with --expose-gc: what is still referenced, not garbage
    const { heapUsed, external, arrayBuffers } = process.memoryUsage();
    console.log(JSON.stringify({ memory: { heapUsed, external, arrayBuffers } }));
  } else if (command === 'stats') console.log(JSON.stringify({ stats: { queries, statements: statements && Object.fromEntries(statements) } }));
  else if (command === 'profile-start') {
    inspector.connect();
    void inspector.post('Profiler.enable').then(() => inspector.post('Profiler.start')).then(() => console.log(JSON.stringify({ profiling: true })));
  } else if (command === 'profile-stop' && arg) {
    void inspector.post('Profiler.stop').then(({ profile }) => {
      writeFileSync(arg, JSON.stringify(profile));
      inspector.disconnect();
      console.log(JSON.stringify({ profiled: arg }));
    });
  }
});

if (kind === 'ws') {
  const rooms = new Map<string, Set<WebSocket>>();
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  server.on('connection', (socket) => {
    const joined = new Set<string>();
    socket.on('message', (data) => {
      const m = JSON.parse(String(data)) as { type: string; room?: string; payload?: unknown };
      if (m.type === 'hello') socket.send(JSON.stringify({ type: 'welcome' }));
      else if (m.type === 'join' && m.room) {
        const set = rooms.get(m.room) ?? new Set();
        set.add(socket);
        rooms.set(m.room, set);
        joined.add(m.room);
        socket.send(JSON.stringify({ type: 'joined', room: m.room }));
      } else if (m.type === 'say' && m.room) {
        const text = JSON.stringify({ type: 'message', room: m.room, payload: m.payload });
        for (const peer of rooms.get(m.room) ?? []) peer.send(text);
      }
    });
    socket.on('close', () => {
      for (const room of joined) rooms.get(room)?.delete(socket);
    });
  });
  server.on('listening', () => {
    const { port } = server.address() as { port: number };
    console.log(JSON.stringify({ url: `ws://127.0.0.1:${port}` }));
  });
} else if (kind === 'kefu') {
  // Count statements on the server's own copy of node-postgres (every pooled query goes through Client#query).
  const pg = createRequire(fileURLToPath(new URL('../../server/src/main.ts', import.meta.url)))('pg') as { Client: { prototype: { query: (...a: unknown[]) => unknown } } };
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: unknown, ...a: unknown[]) {
    queries++;
    if (statements) {
      const q = a[0] as string | { text?: string } | undefined;
      const text = (typeof q === 'string' ? q : q?.text ?? '?').replace(/\s+/g, ' ').trim().slice(0, 140);
      statements.set(text, (statements.get(text) ?? 0) + 1);
    }
    return query.apply(this, a);
  };
  const { createKefu } = await import('../../server/src/main.ts');
  const { loadConfig } = await import('../../server/src/platform/config.ts');
  const { createLogger } = await import('../../server/src/platform/logger.ts');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'kefu-bench-realtime-'));
  const config = loadConfig({ KEFU_HTTP_PORT: '0', KEFU_HTTP_HOST: '127.0.0.1', KEFU_DATA_DIR: dataDir, KEFU_DEMO_PASSWORD: 'bench-password-1', KEFU_SIP_PORT: '0', KEFU_LOG_LEVEL: 'error' });
  const kefu = await createKefu(config, { logger: createLogger('error') });
  console.log(JSON.stringify({ url: kefu.url, dataDir }));
  const stop = () => void kefu.stop().finally(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} else {
  console.error('usage: server.ts kefu|ws');
  process.exit(2);
}

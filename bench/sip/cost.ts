// CPU and garbage-collection cost of one call through the stack's UAS, without sockets and independent of load:
// sipp's uac messages (INVITE, ACK, BYE with fresh Call-ID, branch and tags) are handed to the UDP transport layer
// as received datagrams, and the responses are kept in memory instead of being sent. The figures are CPU time, not
// wall time, so they hold on a shared machine far better than latency does; under `valgrind --tool=callgrind` the
// instruction count is fully load-independent.
//
//   node --import tsx bench/sip/cost.ts [--calls 20000] [--batch 200] [--sip-src <path of packages/sip/src>]
//                                       [--frozen-clock]
//
// --frozen-clock: the stack's timers never fire and its clock stands still, so the work per call does not depend on
// how fast the machine runs. Needed under callgrind: at ~200x slowdown, 2xx retransmission timers fired in wall time
// (5 responses per call instead of 3) and the counts of two runs were not comparable.
//
// Prints one JSON object: CPU µs per call, scavenges and GC ms per 1,000 calls, responses seen.
import { PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type * as Sip from '../../packages/sip/src/index.ts';

const argv = process.argv.slice(2);
const flag = (name: string, dflt: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] ? argv[i + 1]! : dflt;
};
const CALLS = Number(flag('calls', '20000'));
const BATCH = Number(flag('batch', '200'));
const here = path.dirname(fileURLToPath(import.meta.url));
// Another checkout's sources (an export of an older commit) for A/B comparisons on the same machine.
const src = flag('sip-src', path.join(here, '../../packages/sip/src'));
const sip = (await import(pathToFileURL(path.join(src, 'index.ts')).href)) as typeof Sip;

/** A UDP transport whose datagrams are handed in by this script and whose sends are kept, not sent. */
class LoopTransport implements Sip.Transport {
  readonly protocol = 'UDP' as const;
  readonly reliable = false;
  readonly localAddress = '127.0.0.1';
  readonly localPort = 5060;
  handler: (m: Sip.RawIncoming) => void = () => {};
  last: Buffer | undefined;
  sent = 0;
  onData(handler: (m: Sip.RawIncoming) => void): void {
    this.handler = handler;
  }
  send(_dest: Sip.Destination, data: Buffer): Promise<void> {
    this.sent++;
    this.last = data;
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

const frozenAt = Date.now();
const frozen: Sip.Clock = { now: () => frozenAt, setTimeout: () => 0, clearTimeout: () => {} };
const t = new LoopTransport();
const ua = new sip.UserAgent([t], argv.includes('--frozen-clock') ? { clock: frozen } : {});
const sdp = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n';
ua.on('invite', (inv) => void ua.createUAS(inv, { localSdp: sdp }).catch(() => {}));

const offer = 'v=0\r\no=user1 53655765 2353687637 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 6000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n';
function request(method: string, n: number, cseq: number, toTag = ''): Buffer {
  // The same text sipp's built-in uac sends (bench/sip/uac-100.xml).
  const head = [
    `${method} sip:service@127.0.0.1:5060 SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-${n}-${cseq}-${method}`,
    `From: sipp <sip:sipp@127.0.0.1:5061>;tag=1234SIPpTag00${n}`,
    `To: service <sip:service@127.0.0.1:5060>${toTag ? `;tag=${toTag}` : ''}`,
    `Call-ID: ${n}-1234@127.0.0.1`,
    `CSeq: ${cseq} ${method}`,
    'Contact: sip:sipp@127.0.0.1:5061',
    'Max-Forwards: 70',
    'Subject: Performance Test',
  ];
  const body = method === 'INVITE' ? offer : '';
  if (body) head.push('Content-Type: application/sdp');
  head.push(`Content-Length: ${body.length}`);
  return Buffer.from(`${head.join('\r\n')}\r\n\r\n${body}`);
}
const receive = (data: Buffer): void => t.handler({ data, framed: false, address: '127.0.0.1', port: 5061 });

let calls = 0;
let failed = 0;
async function run(count: number): Promise<void> {
  for (let done = 0; done < count; done += BATCH) {
    const tags: (string | undefined)[] = [];
    for (let i = 0; i < BATCH; i++) {
      receive(request('INVITE', calls + i, 1));
      tags.push(/^To:.*;tag=([^;\r\n]+)/m.exec(t.last?.toString('latin1') ?? '')?.[1]);
    }
    await new Promise((r) => setImmediate(r));
    for (let i = 0; i < BATCH; i++) {
      const tag = tags[i];
      if (!tag) {
        failed++;
        continue;
      }
      receive(request('ACK', calls + i, 1, tag));
      receive(request('BYE', calls + i, 2, tag));
    }
    calls += BATCH;
    await new Promise((r) => setImmediate(r));
  }
}

await run(Math.min(2000, CALLS)); // warm-up: the optimizing compiler has seen every path
let gcCount = 0;
let gcMs = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries() as (PerformanceEntry & { detail?: { kind?: number } })[]) {
    if (e.detail?.kind === 1) {
      gcCount++;
      gcMs += e.duration;
    }
  }
}).observe({ entryTypes: ['gc'] });
const sent0 = t.sent;
const cpu0 = process.cpuUsage();
const wall0 = performance.now();
await run(CALLS);
const cpu = process.cpuUsage(cpu0);
const wall = performance.now() - wall0;
await new Promise((r) => setTimeout(r, 50));
process.stdout.write(
  `${JSON.stringify({
    calls: CALLS,
    failed,
    responses_per_call: +((t.sent - sent0) / CALLS).toFixed(2),
    cpu_us_per_call: +((cpu.user + cpu.system) / CALLS).toFixed(1),
    wall_us_per_call: +((wall * 1000) / CALLS).toFixed(1),
    scavenges_per_1000_calls: +((gcCount * 1000) / CALLS).toFixed(2),
    scavenge_ms_per_1000_calls: +((gcMs * 1000) / CALLS).toFixed(2),
    dialogs_left: ua.dialogCount,
  })}\n`,
);
process.exit(0);

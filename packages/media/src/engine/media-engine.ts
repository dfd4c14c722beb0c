import { EventEmitter } from 'node:events';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { MediaError } from '../errors.ts';
import type { PortRange } from '../rtp/port-allocator.ts';
import type { MediaCore, MediaCoreConfig } from './media-core.ts';
import type { MediaEvent } from './media-events.ts';
import type { CoreMethod, WorkerReply, WorkerRequest } from './worker-protocol.ts';

export interface MediaEngineConfig {
  bindAddress: string;
  /** KEFU_MEDIA_IP: address written into SDP and ICE candidates. */
  announceAddress?: string;
  /** Whole RTP port range; each worker gets an even share. */
  portRange?: PortRange;
  /** Worker threads (default: one per core). */
  workers?: number;
  /** Reply timeout for a request to a worker. */
  requestTimeoutMs?: number;
  /** How long workers may take to start (default 60 s). */
  startTimeoutMs?: number;
  /** Node flags for the workers. */
  workerExecArgv?: string[];
  /** Worker module relative to this file; the default bootstraps tsx and loads media-worker.ts. */
  workerEntry?: string;
  rtcpIntervalMs?: number;
}

type Result<K extends CoreMethod> = Awaited<ReturnType<MediaCore[K]>>;
type Args<K extends CoreMethod> = Parameters<MediaCore[K]>;

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * The engine as the voice service sees it: MediaCores in worker threads (so API work on the main
 * thread never delays 20 ms packet timing), addressed by ids that carry their worker (`w1.ep7`).
 * Legs that will be bridged or conferenced must share a `group` (e.g. the call id): a group is
 * pinned to one worker.
 */
export class MediaEngine extends EventEmitter<{ event: [MediaEvent]; error: [Error] }> {
  private readonly workers: Worker[] = [];
  private readonly load: number[] = [];
  private readonly groups = new Map<string, number>();
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closing = false;

  private constructor(private readonly config: MediaEngineConfig) {
    super();
  }

  static async start(config: MediaEngineConfig): Promise<MediaEngine> {
    const engine = new MediaEngine(config);
    const n = Math.max(1, config.workers ?? availableParallelism());
    const url = new URL(config.workerEntry ?? './media-worker.bootstrap.mjs', import.meta.url);
    for (let i = 0; i < n; i++) {
      const workerConfig: MediaCoreConfig = { bindAddress: config.bindAddress, idPrefix: `w${i}.` };
      if (config.announceAddress) workerConfig.announceAddress = config.announceAddress;
      if (config.rtcpIntervalMs) workerConfig.rtcpIntervalMs = config.rtcpIntervalMs;
      if (config.portRange && config.portRange.min > 0) {
        const span = Math.floor((config.portRange.max - config.portRange.min + 1) / n) & ~1;
        const min = config.portRange.min + i * span;
        workerConfig.portRange = { min, max: min + span - 1 };
      }
      const w = new Worker(url, { workerData: workerConfig, ...(config.workerExecArgv ? { execArgv: config.workerExecArgv } : {}) });
      w.on('message', (m: WorkerReply) => engine.onReply(m));
      w.on('error', (e) => engine.emit('error', e));
      w.on('exit', (code) => {
        if (!engine.closing) engine.emit('error', new MediaError('MEDIA_WORKER_FAILED', `media worker ${i} exited with ${code}`));
      });
      engine.workers.push(w);
      engine.load.push(0);
    }
    // Every worker answers before the engine is handed out (loading sources can be slow on a busy host).
    await Promise.all(engine.workers.map((_, i) => engine.send(i, 'listEndpoints', [], config.startTimeoutMs ?? 60_000)));
    return engine;
  }

  get workerCount(): number {
    return this.workers.length;
  }

  private onReply(m: WorkerReply): void {
    if ('event' in m) {
      this.emit('event', m.event);
      return;
    }
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    clearTimeout(p.timer);
    if (m.ok) p.resolve(m.result);
    else p.reject(new MediaError(m.error.code, m.error.message, m.error.retryable));
  }

  /** Sends one request to worker `w` (correlation id + timeout). */
  call<K extends CoreMethod>(w: number, method: K, ...args: Args<K>): Promise<Result<K>> {
    return this.send(w, method, args, this.config.requestTimeoutMs ?? 10_000);
  }

  private send<K extends CoreMethod>(w: number, method: K, args: unknown[], timeoutMs: number): Promise<Result<K>> {
    const worker = this.workers[w];
    if (!worker) return Promise.reject(new MediaError('MEDIA_NOT_FOUND', `no media worker ${w}`));
    const id = this.nextId++;
    return new Promise<Result<K>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new MediaError('MEDIA_TIMEOUT', `media worker ${w} did not answer ${method} in time`, true));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      worker.postMessage({ id, method, args } satisfies WorkerRequest);
    });
  }

  /** The worker that owns an id such as `w1.ep7`. */
  workerOf(id: string): number {
    const m = /^w(\d+)\./.exec(id);
    if (!m) throw new MediaError('MEDIA_ENDPOINT_NOT_FOUND', `id ${id} names no media worker`);
    return Number(m[1]);
  }

  /** Calls a method whose first argument is an id owned by a worker. */
  request<K extends CoreMethod>(method: K, ...args: Args<K>): Promise<Result<K>> {
    return this.call(this.workerOf(String(args[0])), method, ...args);
  }

  private place(group?: string): number {
    if (group !== undefined) {
      const known = this.groups.get(group);
      if (known !== undefined) return known;
    }
    let best = 0;
    for (let i = 1; i < this.load.length; i++) if (this.load[i]! < this.load[best]!) best = i;
    if (group !== undefined) this.groups.set(group, best);
    return best;
  }

  async createRtpEndpoint(o: Args<'createRtpEndpoint'>[0] & { group?: string } = {}): Promise<Result<'createRtpEndpoint'>> {
    const { group, ...rest } = o;
    const w = this.place(group);
    const r = await this.call(w, 'createRtpEndpoint', rest);
    this.load[w]!++;
    return r;
  }

  async createWebRtcEndpoint(o: Args<'createWebRtcEndpoint'>[0] & { group?: string } = {}): Promise<Result<'createWebRtcEndpoint'>> {
    const { group, ...rest } = o;
    const w = this.place(group);
    const r = await this.call(w, 'createWebRtcEndpoint', rest);
    this.load[w]!++;
    return r;
  }

  async createConference(group?: string): Promise<Result<'createConference'>> {
    return this.call(this.place(group), 'createConference');
  }

  async bridge(a: string, b: string): Promise<Result<'bridge'>> {
    if (this.workerOf(a) !== this.workerOf(b)) throw new MediaError('MEDIA_INVALID_ARGUMENT', `endpoints ${a} and ${b} live on different workers; create them in one group`);
    return this.call(this.workerOf(a), 'bridge', a, b);
  }

  async joinConference(conferenceId: string, endpointId: string, ...rest: [Args<'joinConference'>[2]?, Args<'joinConference'>[3]?]): Promise<void> {
    if (this.workerOf(conferenceId) !== this.workerOf(endpointId)) throw new MediaError('MEDIA_INVALID_ARGUMENT', 'conference and endpoint live on different workers; create them in one group');
    await this.call(this.workerOf(conferenceId), 'joinConference', conferenceId, endpointId, ...rest);
  }

  /** Starts a recording on the worker that owns the recorded legs. */
  async record(o: Args<'record'>[0]): Promise<Result<'record'>> {
    if (o.right !== undefined && this.workerOf(o.left) !== this.workerOf(o.right)) throw new MediaError('MEDIA_INVALID_ARGUMENT', 'recorded legs live on different workers');
    return this.call(this.workerOf(o.left), 'record', o);
  }

  async closeEndpoint(id: string): Promise<void> {
    const w = this.workerOf(id);
    await this.call(w, 'closeEndpoint', id);
    this.load[w] = Math.max(0, this.load[w]! - 1);
  }

  /** Forgets a group's placement once its call has ended. */
  releaseGroup(group: string): void {
    this.groups.delete(group);
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new MediaError('MEDIA_WORKER_FAILED', 'media engine closed'));
    }
    this.pending.clear();
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  /** Stops recordings and closes every endpoint in every worker, then ends the threads. */
  async shutdown(): Promise<void> {
    await Promise.allSettled(this.workers.map((_, i) => this.call(i, 'close')));
    await this.close();
  }
}

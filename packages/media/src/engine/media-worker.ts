/**
 * Worker-thread entry: one MediaCore per thread, driven by messages from MediaEngine.
 * Requests: { id, method, args }; replies: { id, ok, result | error }; events: { event }.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { MediaError } from '../errors.ts';
import { MediaCore, type MediaCoreConfig } from './media-core.ts';
import { CORE_METHODS, type CoreMethod, type WorkerReply, type WorkerRequest } from './worker-protocol.ts';

const port = parentPort;
if (!port) throw new Error('media-worker must run in a worker thread');
const core = new MediaCore(workerData as MediaCoreConfig);
core.on('event', (event) => port.postMessage({ event } satisfies WorkerReply));

port.on('message', async (req: WorkerRequest) => {
  try {
    if (!(CORE_METHODS as readonly string[]).includes(req.method)) throw new MediaError('MEDIA_INVALID_ARGUMENT', `unknown method ${req.method}`);
    const fn = core[req.method as CoreMethod] as (...a: unknown[]) => unknown;
    const result = await fn.apply(core, req.args);
    port.postMessage({ id: req.id, ok: true, result } satisfies WorkerReply);
  } catch (e) {
    const err = e as Partial<MediaError> & Error;
    port.postMessage({ id: req.id, ok: false, error: { code: err.code ?? 'MEDIA_WORKER_FAILED', message: err.message, retryable: err.retryable ?? false } } satisfies WorkerReply);
  }
});

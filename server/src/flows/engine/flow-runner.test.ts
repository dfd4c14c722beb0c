// The engine: per-node time limits, the error path (node exit → flow error node → apology and hand-over),
// the loop guard, the path log, resuming from saved JSON state, and a caller hanging up mid-menu.
import { describe, expect, test } from 'vitest';
import { FlowFallbackError } from '../voice/voice-flow-runner.ts';
import { ends, graph, runAsText, runOnCall } from '../testing/flow-harness.ts';

const hangingHttp = (next: Record<string, string>) => ({
  id: 'h', type: 'http_request' as const, config: { url: 'http://127.0.0.1:9/x', timeoutMs: 100, headers: { 'X-Key': '{{secret.slow}}' } }, next,
});
const never = { secret: () => new Promise<string | undefined>(() => {}) };

describe('flow runner', () => {
  test('a node that hangs is stopped at its time limit and its error exit is followed', async () => {
    const r = await runOnCall(graph([hangingHttp({ success: 'ok', error: 'err' }), ...ends('ok', 'err')]), { services: never });
    expect(r.exits).toEqual(['h:error', 'err:hangup']);
  });

  test("without an error exit the flow's error node takes over", async () => {
    const r = await runOnCall(graph([hangingHttp({ success: 'ok' }), ...ends('ok', 'oops')], 'oops'), { services: never });
    expect(r.exits).toEqual(['h:error', 'oops:hangup']);
  });

  test('with no error handling at all the caller hears an apology and the call goes to people (no dead air)', async () => {
    const r = await runOnCall(graph([hangingHttp({ success: 'ok' }), ...ends('ok')]), { services: never });
    expect(r.error).toBeInstanceOf(FlowFallbackError);
    expect(r.tts.texts.join(' ')).toMatch(/Sorry, something went wrong/);
    expect(r.call.played).toHaveLength(1);
  });

  test('an exit left unconnected in a draft is an error too, not silence', async () => {
    const r = await runOnCall(graph([{ id: 'm', type: 'menu', config: { prompt: { text: 'press 1' }, options: [{ digit: '1' }], retries: 0 }, next: {} }]), { keys: ['1'] });
    expect(r.error).toBeInstanceOf(FlowFallbackError);
    expect(r.error!.message).toMatch(/exit key_1 of m is not connected/);
  });

  test('a node whose config breaks its spec fails into the error path', async () => {
    const r = await runOnCall(graph([{ id: 's', type: 'say', config: { prompt: {} }, next: { next: 'bye', error: 'err' } }, ...ends('bye', 'err')]));
    expect(r.exits).toEqual(['s:error', 'err:hangup']);
  });

  test('a flow that loops without waiting stops at the step limit with the apology', async () => {
    const r = await runOnCall(graph([
      { id: 'a', type: 'set_variable', config: { assignments: [{ variable: 'x', value: '1' }] }, next: { next: 'b' } },
      { id: 'b', type: 'set_variable', config: { assignments: [{ variable: 'x', value: '2' }] }, next: { next: 'a' } },
    ]));
    expect(r.error!.message).toMatch(/more than 1000 steps/);
  });

  test('logs every node entered and left, with the exit and the input', async () => {
    const r = await runOnCall(graph([
      { id: 'm', type: 'menu', config: { prompt: { text: 'press' }, options: [{ digit: '2' }] }, next: { key_2: 'bye' } }, ...ends('bye'),
    ]), { keys: ['2'] });
    expect(r.path.map((e) => [e.nodeId, e.event, e.port, e.input])).toEqual([
      ['m', 'enter', null, null], ['m', 'leave', 'key_2', '2'], ['bye', 'enter', null, null], ['bye', 'leave', 'hangup', null],
    ]);
    expect(new Set(r.path.map((e) => e.runId)).size).toBe(1);
    expect(r.path[0]!.interactionId).toBe(r.call.interactionId);
  });

  test('a caller hanging up during a menu ends the run without an outcome to carry out', async () => {
    const r = await runOnCall(graph([{ id: 'm', type: 'menu', config: { prompt: { text: 'press' }, options: [{ digit: '2' }] }, next: { key_2: 'q' } }, ...ends('q')]), { keys: [] });
    expect(r.call.signal.aborted).toBe(true);
    expect(r.outcome).toEqual({ kind: 'hangup', endReason: 'flow_ended' });
  });

  test('a run resumes from its state saved as JSON between inputs', async () => {
    const r = await runAsText(graph([
      { id: 'c1', type: 'collect', config: { text: 'name?', variable: 'name' }, next: { next: 'c2' } },
      { id: 'c2', type: 'collect', config: { text: 'city?', variable: 'city' }, next: { next: 'm' } },
      { id: 'm', type: 'message', config: { text: '{{name}} from {{city}}' }, next: { next: 'r' } }, { id: 'r', type: 'return' },
    ]), [{ kind: 'text', text: 'Li' }, { kind: 'text', text: 'Shenzhen' }]);
    expect(r.outputs.at(-1)).toEqual({ kind: 'text', text: 'Li from Shenzhen' });
  });
});

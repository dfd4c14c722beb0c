import { describe, expect, test } from 'vitest';
import { queueConfig, queueSpec } from './queue.spec.ts';
import { ends, graph, runOnCall } from '../../testing/flow-harness.ts';
import type { QueueWaitPlan } from '../../../voice/queue-announcer.ts';

const QUEUE = '11111111-1111-4111-8111-111111111111';

describe('queue node', () => {
  test('needs the overflow exit only with a maximum wait', () => {
    expect(queueSpec.ports(queueConfig.parse({ queueId: QUEUE }))).toEqual({ required: [], optional: [] });
    expect(queueSpec.ports(queueConfig.parse({ queueId: QUEUE, maxWaitSeconds: 60 }))).toEqual({ required: ['overflow'], optional: [] });
    expect(queueConfig.safeParse({ queueId: 'Support' }).success).toBe(false);
  });

  test('hands the call to the queue with priority and skills', async () => {
    const r = await runOnCall(graph([{ id: 'q', type: 'queue', config: { queueId: QUEUE, priority: 5, skills: [{ skill: 'mandarin', minLevel: 3 }] } }]));
    expect(r.outcome).toEqual({ kind: 'queue', queueId: QUEUE, priority: 5, skills: [{ skill: 'mandarin', minLevel: 3 }], wait: expect.any(Object) });
    expect(r.outcome).toMatchObject({ wait: { music: 'hold', announcePosition: false, announceEveryMs: 30_000, language: 'zh' } });
    expect((r.outcome as { wait: { callback?: unknown } }).wait.callback).toBeUndefined();
    expect(r.exits).toEqual(['q:queue']);
  });

  test('announcements and the callback offer in the language the caller chose; what happens while waiting is logged', async () => {
    const r = await runOnCall(graph([
      { id: 'lang', type: 'set_variable', config: { assignments: [{ variable: 'language', value: 'en' }] }, next: { next: 'q' } },
      { id: 'q', type: 'queue', config: { queueId: QUEUE, announcePosition: true, offerCallback: true, announceEverySeconds: 20, callbackAfterSeconds: 40, callbackDigit: '#', music: 'ringback' } },
    ]));
    const wait = (r.outcome as { wait: QueueWaitPlan }).wait;
    expect(wait).toMatchObject({ music: 'ringback', announcePosition: true, announceEveryMs: 20_000, callback: { digit: '#', afterMs: 40_000 }, language: 'en' });
    const speech = await wait.say('You are next in line.', 'en');
    expect('pcm' in speech && speech.pcm.length).toBeGreaterThan(0);
    wait.log?.({ kind: 'announce', announcement: { position: 2, estimatedWaitSeconds: 240, callbackDigit: '#' } });
    wait.log?.({ kind: 'callback', requestId: 'req-1' });
    wait.log?.({ kind: 'result', result: 'callback' });
    expect(r.path.filter((e) => e.event === 'queue').map((e) => [e.nodeId, e.nodeType, e.port, e.input])).toEqual([
      ['q', 'queue', 'announce', 'position=2 wait=240s key=#'], ['q', 'queue', 'callback', 'req-1'], ['q', 'queue', 'result', 'callback'],
    ]);
  });

  test('with a maximum wait, the overflow continuation runs the flow on from the overflow exit', async () => {
    const r = await runOnCall(graph([
      { id: 'q', type: 'queue', config: { queueId: QUEUE, maxWaitSeconds: 30 }, next: { overflow: 'vm' } },
      { id: 'vm', type: 'voicemail', config: { maxSeconds: 60 } },
    ]));
    const outcome = r.outcome as { maxWaitMs: number; overflow: () => Promise<unknown> };
    expect(outcome.maxWaitMs).toBe(30_000);
    expect(await outcome.overflow()).toEqual({ kind: 'voicemail', maxDurationMs: 60_000 });
  });
});

import { describe, expect, test } from 'vitest';
import { queueConfig, queueSpec } from './queue.spec.ts';
import { ends, graph, runOnCall } from '../../testing/flow-harness.ts';

const QUEUE = '11111111-1111-4111-8111-111111111111';

describe('queue node', () => {
  test('needs the overflow exit only with a maximum wait', () => {
    expect(queueSpec.ports(queueConfig.parse({ queueId: QUEUE }))).toEqual({ required: [], optional: [] });
    expect(queueSpec.ports(queueConfig.parse({ queueId: QUEUE, maxWaitSeconds: 60 }))).toEqual({ required: ['overflow'], optional: [] });
    expect(queueConfig.safeParse({ queueId: 'Support' }).success).toBe(false);
  });

  test('hands the call to the queue with priority and skills', async () => {
    const r = await runOnCall(graph([{ id: 'q', type: 'queue', config: { queueId: QUEUE, priority: 5, skills: [{ skill: 'mandarin', minLevel: 3 }] } }]));
    expect(r.outcome).toEqual({ kind: 'queue', queueId: QUEUE, priority: 5, skills: [{ skill: 'mandarin', minLevel: 3 }] });
    expect(r.exits).toEqual(['q:queue']);
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

// RouterCore: capacity, priorities, overflow, skills and estimates, without I/O.
import { describe, expect, test } from 'vitest';
import { RouterCore, type CoreAgentInput, type CoreQueue, type CoreTaskInput } from './router.core.ts';

const queue = (over: Partial<CoreQueue> = {}): CoreQueue => ({
  id: 'q1', strategy: 'longest_idle', serviceLevelSeconds: 20, maxWaitSeconds: null, overflow: [], priorityRules: [], agingPerMinute: 0, acwSeconds: 0, ...over,
});
const agent = (id: string, over: Partial<CoreAgentInput> = {}): CoreAgentInput => ({
  id, state: 'available', capacity: { voice: 1, chat: 3 }, callBlocksChats: true, memberships: new Map([['q1', { skillLevel: 3, priority: 1 }]]), skills: new Map(), ...over,
});
let n = 0;
const task = (over: Partial<CoreTaskInput> = {}): CoreTaskInput => ({
  id: `t${++n}`, queueId: 'q1', channel: 'chat', priority: 0, enqueuedAt: 1000 + n, attributes: {}, previousAgentId: null, requiredSkills: [], ...over,
});
const core = (q: CoreQueue[] = [queue()], agents: CoreAgentInput[] = []) => {
  const c = new RouterCore({ random: () => 0.5, day: () => 'd' });
  for (const x of q) c.upsertQueue(x);
  for (const a of agents) c.upsertAgent(a, 0);
  return c;
};
const acceptAll = (c: RouterCore, now: number) => c.route(now).map((d) => (c.accept(d.taskId, d.agentIds[0]!, now), d));

describe('RouterCore', () => {
  test('an agent takes chats up to their chat capacity, then no more', () => {
    const c = core([queue()], [agent('a')]);
    for (let i = 0; i < 4; i++) c.enqueue(task());
    expect(acceptAll(c, 5000)).toHaveLength(3);
    expect(c.route(5000)).toEqual([]);
    expect(c.agentState('a')).toBe('busy');
  });

  test('a scoped pass that names a queue twice offers each task once', () => {
    const c = core([queue()], [agent('a'), agent('b')]);
    const t = task({ channel: 'voice' });
    c.enqueue(t);
    const made = c.route(5000, ['q1', 'q1']);
    expect(made).toEqual([{ taskId: t.id, queueId: 'q1', agentIds: [expect.any(String)] }]);
  });

  test('a call blocks chats when the agent is configured so', () => {
    const c = core([queue()], [agent('a')]);
    c.enqueue(task({ channel: 'voice' }));
    acceptAll(c, 5000);
    c.enqueue(task());
    expect(c.route(5000)).toEqual([]);
  });

  test('a call does not block chats when the agent allows both', () => {
    const c = core([queue()], [agent('a', { callBlocksChats: false })]);
    c.enqueue(task({ channel: 'voice' }));
    acceptAll(c, 5000);
    c.enqueue(task());
    expect(c.route(5000)).toHaveLength(1);
  });

  test('VIP tasks go first, then the longest waiting', () => {
    const c = core([queue({ priorityRules: [{ attribute: 'vip', equals: true, boost: 10 }] })], []);
    const early = task({ enqueuedAt: 1 });
    const vip = task({ enqueuedAt: 50, attributes: { vip: true } });
    c.enqueue(early);
    c.enqueue(vip);
    c.upsertAgent(agent('a', { capacity: { chat: 1 } }), 0);
    expect(c.route(100)[0]!.taskId).toBe(vip.id);
  });

  test('priority grows with waiting time so that old low-priority tasks are not starved', () => {
    const c = core([queue({ agingPerMinute: 1 })], []);
    const old = task({ enqueuedAt: 0, priority: 0 });
    const fresh = task({ enqueuedAt: 10 * 60_000, priority: 5 });
    c.enqueue(old);
    c.enqueue(fresh);
    c.upsertAgent(agent('a', { capacity: { chat: 1 } }), 0);
    expect(c.route(10 * 60_000)[0]!.taskId).toBe(old.id);
  });

  test('a task waits for an agent with the required skill level, and overflow relaxes it', () => {
    const c = core([queue({ overflow: [{ afterSeconds: 30, action: 'relax_skills', by: 1 }] })], [agent('a', { skills: new Map([['billing', 2]]) })]);
    c.enqueue(task({ enqueuedAt: 0, requiredSkills: [{ skill: 'billing', minLevel: 3, weight: 1 }] }));
    expect(c.route(10_000)).toEqual([]);
    c.tick(31_000);
    expect(c.route(31_000)).toHaveLength(1);
  });

  test('overflow to another queue keeps the task waiting, now offered to that queue’s agents', () => {
    const c = core([queue({ overflow: [{ afterSeconds: 60, action: 'queue', queueId: 'q2' }] }), queue({ id: 'q2' })], [
      agent('b', { memberships: new Map([['q2', { skillLevel: 3, priority: 1 }]]) }),
    ]);
    const t = task({ enqueuedAt: 0 });
    c.enqueue(t);
    expect(c.route(1000)).toEqual([]);
    expect(c.tick(61_000).moved).toEqual([{ taskId: t.id, queueId: 'q2' }]);
    expect(c.route(61_000)[0]).toMatchObject({ taskId: t.id, agentIds: ['b'] });
  });

  test('a task past the maximum wait expires', () => {
    const c = core([queue({ maxWaitSeconds: 120 })]);
    const t = task({ enqueuedAt: 0 });
    c.enqueue(t);
    expect(c.tick(121_000).expired).toEqual([t.id]);
  });

  test('agents of a better membership priority are served first', () => {
    const c = core([queue()], [agent('backup', { memberships: new Map([['q1', { skillLevel: 3, priority: 2 }]]) }), agent('primary')]);
    c.enqueue(task());
    expect(c.route(5000)[0]!.agentIds).toEqual(['primary']);
  });

  test('an agent who let an offer time out is missed and offered nothing more', () => {
    const c = core([queue()], [agent('a')]);
    const t = task();
    c.enqueue(t);
    c.route(5000);
    c.decline(t.id, 'a', 'timeout');
    expect(c.agentState('a')).toBe('missed');
    expect(c.route(5000)).toEqual([]);
  });

  test('a declined task goes to someone else first, and back to the decliner only if nobody else can take it', () => {
    const c = core([queue()], [agent('a'), agent('b')]);
    const t = task();
    c.enqueue(t);
    const first = c.route(5000)[0]!.agentIds[0]!;
    c.decline(t.id, first, 'rejected');
    const second = c.route(5000)[0]!.agentIds[0]!;
    expect(second).not.toBe(first);
    c.decline(t.id, second, 'rejected');
    expect(c.route(5000)[0]!.agentIds).toHaveLength(1);
  });

  test('position and estimated wait follow the queue order, handle times and staffed agents', () => {
    const c = core([queue()], [agent('a', { state: 'away' }), agent('b', { state: 'away' })]);
    const [t1, t2, t3] = [task({ enqueuedAt: 1 }), task({ enqueuedAt: 2 }), task({ enqueuedAt: 3 })];
    for (const t of [t1, t2, t3]) c.enqueue(t);
    expect(c.estimate(t3.id, 10)).toEqual({ position: 3, estimatedWaitSeconds: null }); // nobody staffed
    c.setAgentState('a', 'acw');
    c.setAgentState('b', 'acw');
    expect(c.estimate(t3.id, 10)).toEqual({ position: 3, estimatedWaitSeconds: 270 }); // 3 × 180 s ÷ 2
  });

  test('completing the last task with after-call work puts the agent in acw', () => {
    const c = core([queue({ acwSeconds: 30 })], [agent('a')]);
    const t = task();
    c.enqueue(t);
    acceptAll(c, 5000);
    expect(c.complete(t.id, 9000, 4)).toEqual({ agentId: 'a', acwSeconds: 30 });
    expect(c.agentState('a')).toBe('acw');
  });
});

import { describe, expect, test } from 'vitest';
import { validateGraph, type FlowReferences } from './flow-validation.ts';
import { diffGraphs } from './graph-diff.ts';
import { graph } from './testing/flow-harness.ts';

const KNOWN_QUEUE = '11111111-1111-4111-8111-111111111111';
const KNOWN_PROMPT = '22222222-2222-4222-8222-222222222222';
const refs: FlowReferences = {
  queues: async (ids) => new Set(ids.filter((i) => i === KNOWN_QUEUE)),
  flows: async () => new Set(),
  secrets: async (names) => new Set(names.filter((n) => n === 'token')),
  prompts: async (ids) => new Set(ids.filter((i) => i === KNOWN_PROMPT)),
};

describe('publish validation', () => {
  test('a complete flow has no problems', async () => {
    const g = graph([
      { id: 'm', type: 'menu', config: { prompt: { text: 'press 1' }, options: [{ digit: '1' }] }, next: { key_1: 'q' } },
      { id: 'q', type: 'queue', config: { queueId: KNOWN_QUEUE } },
    ]);
    expect(await validateGraph(g, 'voice', refs)).toEqual([]);
  });

  test('lists every problem: missing branch, unknown target, unreachable node, unknown queue, secret, type and channel', async () => {
    const g = graph([
      { id: 'm', type: 'menu', config: { prompt: { text: 'press' }, options: [{ digit: '1' }, { digit: '2' }] }, next: { key_1: 'q', timeout: 'ghost' } },
      { id: 'q', type: 'queue', config: { queueId: '22222222-2222-4222-8222-222222222222' } },
      { id: 'lost', type: 'hangup' },
      { id: 'h', type: 'http_request', config: { url: 'http://x/', headers: { A: '{{secret.token}} {{secret.nope}}' } }, next: { success: 'lost' } },
      { id: 'w', type: 'wormhole' },
      { id: 'chat', type: 'message', config: { text: 'hi' }, next: { next: 'lost' } },
      { id: 'bad', type: 'say', config: { prompt: { text: '' } } },
    ]);
    const problems = await validateGraph(g, 'voice', refs);
    const codes = problems.map((p) => `${p.code}:${p.nodeId ?? ''}`);
    expect(codes).toEqual(expect.arrayContaining([
      'missing_branch:m', 'unknown_target:m', 'unknown_queue:q', 'unreachable:lost', 'unreachable:h', 'unknown_secret:h',
      'unknown_type:w', 'wrong_channel:chat', 'invalid_config:bad',
    ]));
    expect(codes).not.toContain('unknown_secret:h:token');
    expect(problems.find((p) => p.code === 'missing_branch')!.field).toBe('next.key_2');
  });

  test('a play node must name a prompt of the library (a file name is still accepted)', async () => {
    const g = graph([
      { id: 'known', type: 'play', config: { promptId: KNOWN_PROMPT }, next: { next: 'gone' } },
      { id: 'gone', type: 'play', config: { promptId: '44444444-4444-4444-8444-444444444444' }, next: { next: 'file' } },
      { id: 'file', type: 'play', config: { file: 'welcome.wav' }, next: { next: 'none' } },
      { id: 'none', type: 'play', config: {}, next: { next: 'end' } },
      { id: 'end', type: 'hangup' },
    ]);
    const problems = await validateGraph(g, 'voice', refs);
    expect(problems.map((p) => `${p.code}:${p.nodeId}:${p.field}`)).toEqual(['invalid_config:none:promptId', 'unknown_prompt:gone:promptId']);
  });

  test('a missing start node is named', async () => {
    expect((await validateGraph({ start: 'nope', nodes: [{ id: 'a', type: 'hangup', label: '', config: {}, next: {} }] }, 'voice', refs)).map((p) => p.code)).toContain('no_start');
  });
});

describe('graph diff', () => {
  test('names added, removed and changed nodes with the changed fields', () => {
    const a = graph([{ id: 's', type: 'say', config: { prompt: { text: 'a' } }, next: { next: 'x' } }, { id: 'x', type: 'hangup' }]);
    const b = graph([{ id: 's', type: 'say', config: { prompt: { text: 'b' } }, next: { next: 'y' } }, { id: 'y', type: 'hangup' }]);
    expect(diffGraphs(a, b)).toEqual({ added: ['y'], removed: ['x'], changed: [{ nodeId: 's', fields: ['config.prompt', 'next'] }] });
  });
});

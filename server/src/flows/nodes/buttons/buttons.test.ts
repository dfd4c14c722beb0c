import { describe, expect, test } from 'vitest';
import { buttonsConfig, buttonsSpec } from './buttons.spec.ts';
import { graph, runAsText } from '../../testing/flow-harness.ts';

const node = { id: 'b', type: 'buttons' as const, config: { text: 'How can we help?', buttons: [{ id: 'orders', label: 'Orders' }, { id: 'other', label: 'Something else' }] }, next: { orders: 'o', other: 'x' } };
const tail = [{ id: 'o', type: 'message' as const, config: { text: 'orders' }, next: { next: 'r' } }, { id: 'x', type: 'message' as const, config: { text: 'other' }, next: { next: 'r' } }, { id: 'r', type: 'return' as const }];

describe('buttons node', () => {
  test('has one exit per button', () => {
    expect(buttonsSpec.ports(buttonsConfig.parse(node.config))).toEqual({ required: ['orders', 'other'], optional: ['timeout'] });
  });

  test('shows the buttons and follows the one pressed (by id, label or number)', async () => {
    for (const said of ['orders', 'Orders', '1']) {
      const r = await runAsText(graph([node, ...tail]), [{ kind: 'text', text: said }]);
      expect(r.outputs[0]).toEqual({ kind: 'buttons', text: 'How can we help?', buttons: node.config.buttons });
      expect(r.exits[0]).toBe('b:orders');
    }
  });

  test('an answer that is no button shows them again', async () => {
    const r = await runAsText(graph([node, ...tail]), [{ kind: 'text', text: 'hmm' }, { kind: 'text', text: 'Something else' }]);
    expect(r.outputs.filter((o) => o.kind === 'buttons')).toHaveLength(2);
    expect(r.exits[0]).toBe('b:other');
  });
});

// Blind transfer to a number, an agent, an extension or another flow; the call leaves this flow.
import type { FlowNodeImpl } from '../../engine/flow-types.ts';

export const transferNode: FlowNodeImpl<'transfer'> = {
  type: 'transfer',
  async run(ctx) {
    return { end: { kind: 'transfer', target: ctx.config.target } };
  },
};

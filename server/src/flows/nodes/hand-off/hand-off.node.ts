// Chat: hands the conversation to a routing queue (an agent takes over), with an optional message first.
import type { FlowNodeImpl } from '../../engine/flow-types.ts';

export const handOffNode: FlowNodeImpl<'hand_off'> = {
  type: 'hand_off',
  async run(ctx) {
    if (ctx.config.text) await ctx.io.output({ kind: 'text', text: ctx.fill(ctx.config.text) }, ctx.signal);
    return { end: { kind: 'hand_off', queueId: ctx.config.queueId, priority: ctx.config.priority } };
  },
};

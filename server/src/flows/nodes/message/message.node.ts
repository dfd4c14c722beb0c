// Chat: sends a message (variables filled in) and follows `next`.
import type { FlowNodeImpl } from '../../engine/flow-types.ts';

export const messageNode: FlowNodeImpl<'message'> = {
  type: 'message',
  async run(ctx) {
    await ctx.io.output({ kind: 'text', text: ctx.fill(ctx.config.text) }, ctx.signal);
    return { port: 'next' };
  },
};

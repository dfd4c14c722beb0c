// Plays a prompt file of the tenant (uploaded WAV) to the caller, then follows `next`.
import type { FlowNodeImpl } from '../../engine/flow-types.ts';

export const playNode: FlowNodeImpl<'play'> = {
  type: 'play',
  async run(ctx) {
    await ctx.io.output({ kind: 'play', file: ctx.config.file }, ctx.signal);
    return { port: 'next' };
  },
  timeoutMs: () => 300_000,
};

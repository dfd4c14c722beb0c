// Plays a prompt of the tenant's library (`promptId`) — or, as before the library, a WAV file of the tenant's
// prompt directory (`file`) — to the caller, then follows `next`.
import type { FlowNodeImpl } from '../../engine/flow-types.ts';

export const playNode: FlowNodeImpl<'play'> = {
  type: 'play',
  async run(ctx) {
    const c = ctx.config;
    await ctx.io.output(c.promptId ? { kind: 'play', promptId: c.promptId } : { kind: 'play', file: c.file }, ctx.signal);
    return { port: 'next' };
  },
  timeoutMs: () => 300_000,
};

// A callback request instead of waiting: the caller hears the confirmation, the call ends, and routing gets a
// callback task for the queue with the number (a collected one, or the caller's own).
import type { FlowNodeImpl } from '../../engine/flow-types.ts';

export const callbackNode: FlowNodeImpl<'callback'> = {
  type: 'callback',
  async run(ctx) {
    if (ctx.config.prompt) {
      const p = ctx.prompt(ctx.config.prompt);
      await ctx.io.output({ kind: 'say', text: p.text, language: p.language }, ctx.signal);
    }
    const number = ctx.config.numberVariable ? ctx.state.vars[ctx.config.numberVariable] : undefined;
    return { end: { kind: 'callback', queueId: ctx.config.queueId, number: number || undefined } };
  },
  timeoutMs: () => 300_000,
};

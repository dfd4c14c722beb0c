// Says goodbye (optional prompt) and ends the call.
import type { FlowNodeImpl } from '../../engine/flow-types.ts';

export const hangupNode: FlowNodeImpl<'hangup'> = {
  type: 'hangup',
  async run(ctx) {
    if (ctx.config.prompt) {
      const p = ctx.prompt(ctx.config.prompt);
      await ctx.io.output({ kind: 'say', text: p.text, language: p.language }, ctx.signal);
    }
    return { end: { kind: 'hangup' } };
  },
  timeoutMs: () => 300_000,
};

// Speaks text with TTS (variables filled in; mixed Chinese and English split by script), then follows `next`.
import type { FlowNodeImpl } from '../../engine/flow-types.ts';

export const sayNode: FlowNodeImpl<'say'> = {
  type: 'say',
  async run(ctx) {
    const p = ctx.prompt(ctx.config.prompt);
    await ctx.io.output({ kind: 'say', text: p.text, language: p.language }, ctx.signal);
    return { port: 'next' };
  },
  // A long prompt at a slow speaking rate still ends well within this.
  timeoutMs: () => 300_000,
};

// Chat: asks for a value (an order number, an email), checks it against a pattern, stores it in a variable.
import type { FlowNodeImpl, NodeContext, NodeResult } from '../../engine/flow-types.ts';
import { safeRegex } from '../../engine/variables.ts';

const ask = (ctx: NodeContext<'collect'>, again: boolean): NodeResult => ({
  wait: { kind: 'text', output: { kind: 'text', text: ctx.fill(again && ctx.config.invalidText ? `${ctx.config.invalidText} ${ctx.config.text}` : ctx.config.text) } },
});

export const collectNode: FlowNodeImpl<'collect'> = {
  type: 'collect',
  async run(ctx) {
    return ask(ctx, false);
  },
  async resume(ctx, input) {
    if (input.kind === 'timeout') return { port: 'timeout' };
    const value = (input.kind === 'digits' ? input.digits : input.text).trim();
    const ok = value !== '' && (!ctx.config.pattern || (safeRegex(ctx.config.pattern)?.test(value) ?? false));
    if (ok) {
      ctx.state.vars[ctx.config.variable] = value;
      return { port: 'next', input: value };
    }
    if (ctx.state.attempts <= ctx.config.retries) return ask(ctx, true);
    return { port: 'invalid', input: value };
  },
};

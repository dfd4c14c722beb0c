// Collects a number (an ID, an order number): min/max length, an optional terminator, and a pattern it must
// match. Invalid or missing input asks again up to `retries` times, then `invalid` or `timeout`.
import type { FlowNodeImpl, NodeContext, NodeResult } from '../../engine/flow-types.ts';
import { safeRegex } from '../../engine/variables.ts';

function ask(ctx: NodeContext<'collect_digits'>, again: boolean): NodeResult {
  const c = ctx.config;
  const prompt = ctx.prompt(c.prompt);
  const invalid = again && c.invalidPrompt ? ctx.prompt(c.invalidPrompt) : undefined;
  return {
    wait: {
      kind: 'digits', min: c.minLength, max: c.maxLength, terminator: c.terminator === 'none' ? undefined : c.terminator,
      timeoutMs: c.timeoutMs, interDigitMs: Math.min(c.timeoutMs, 5000),
      prompt: invalid ? { text: `${invalid.text} ${prompt.text}`, language: prompt.language } : prompt,
    },
  };
}

export const collectDigitsNode: FlowNodeImpl<'collect_digits'> = {
  type: 'collect_digits',
  async run(ctx) {
    return ask(ctx, false);
  },
  async resume(ctx, input) {
    const c = ctx.config;
    const raw = input.kind === 'digits' ? input.digits : input.kind === 'text' || input.kind === 'speech' ? input.text.trim() : '';
    const digits = c.terminator !== 'none' && raw.endsWith(c.terminator) ? raw.slice(0, -1) : raw;
    const valid = /^[0-9*#]*$/.test(digits) && digits.length >= c.minLength && digits.length <= c.maxLength
      && (!c.pattern || (safeRegex(c.pattern)?.test(digits) ?? false));
    if (valid) {
      ctx.state.vars[c.variable] = digits;
      return { port: 'next', input: digits };
    }
    if (ctx.state.attempts <= c.retries) return ask(ctx, true);
    return { port: digits ? 'invalid' : 'timeout', input: digits };
  },
};

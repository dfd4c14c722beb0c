// A DTMF menu: plays its prompt (a key pressed during it counts), waits for one key, and follows `key_<digit>`.
// A wrong key or silence plays the invalid prompt and asks again up to `retries` times, then `invalid`/`timeout`.
import type { FlowNodeImpl, NodeContext, NodeResult } from '../../engine/flow-types.ts';

function ask(ctx: NodeContext<'menu'>, again: boolean): NodeResult {
  const prompt = ctx.prompt(ctx.config.prompt);
  const invalid = again && ctx.config.invalidPrompt ? ctx.prompt(ctx.config.invalidPrompt) : undefined;
  return {
    wait: {
      kind: 'digits', min: 1, max: 1, timeoutMs: ctx.config.timeoutMs, interDigitMs: ctx.config.timeoutMs,
      prompt: invalid ? { text: `${invalid.text} ${prompt.text}`, language: prompt.language } : prompt,
    },
  };
}

export const menuNode: FlowNodeImpl<'menu'> = {
  type: 'menu',
  async run(ctx) {
    return ask(ctx, false);
  },
  async resume(ctx, input) {
    const key = input.kind === 'digits' ? input.digits.slice(0, 1) : input.kind === 'text' || input.kind === 'speech' ? input.text.trim().slice(0, 1) : '';
    const option = ctx.config.options.find((o) => o.digit === key);
    if (option) {
      if (ctx.config.variable) ctx.state.vars[ctx.config.variable] = key;
      return { port: `key_${key}`, input: key };
    }
    if (ctx.state.attempts <= ctx.config.retries) return ask(ctx, true);
    return { port: key ? 'invalid' : 'timeout', input: key };
  },
};

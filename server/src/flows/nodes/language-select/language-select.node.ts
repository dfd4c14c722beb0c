// Language selection: a key picks the language of the prompts that follow (variable `language`: zh, en, yue);
// no key or an unknown one keeps the default.
import type { FlowNodeImpl } from '../../engine/flow-types.ts';

export const languageSelectNode: FlowNodeImpl<'language_select'> = {
  type: 'language_select',
  async run(ctx) {
    return { wait: { kind: 'digits', min: 1, max: 1, timeoutMs: ctx.config.timeoutMs, interDigitMs: ctx.config.timeoutMs, prompt: ctx.prompt(ctx.config.prompt) } };
  },
  async resume(ctx, input) {
    const key = input.kind === 'digits' ? input.digits.slice(0, 1) : input.kind === 'text' ? input.text.trim().slice(0, 1) : '';
    ctx.state.vars.language = ctx.config.options.find((o) => o.digit === key)?.language ?? ctx.config.default;
    return { port: 'next', input: key };
  },
};

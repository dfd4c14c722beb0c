// Asks a question answered by voice: the recognizer gets a grammar of the choices' phrases, and the phrase heard
// picks the exit named by its choice's value. In a text conversation the typed words are matched the same way.
import type { FlowNodeImpl, NodeContext, NodeResult } from '../../engine/flow-types.ts';

const normalize = (s: string): string => s.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();

/** The choice whose phrase the utterance is, or contains (longest phrase first: "order status" before "order"). */
export function matchChoice(choices: { value: string; phrases: string[] }[], utterance: string): string | undefined {
  const said = ` ${normalize(utterance)} `;
  const phrases = choices.flatMap((c) => c.phrases.map((p) => ({ value: c.value, p: normalize(p) }))).sort((a, b) => b.p.length - a.p.length);
  return phrases.find(({ p }) => p && said.includes(` ${p} `))?.value;
}

function listen(ctx: NodeContext<'ask'>): NodeResult {
  return { wait: { kind: 'speech', prompt: ctx.prompt(ctx.config.prompt), phrases: ctx.config.choices.flatMap((c) => c.phrases), listenMs: ctx.config.listenMs } };
}

export const askNode: FlowNodeImpl<'ask'> = {
  type: 'ask',
  async run(ctx) {
    return listen(ctx);
  },
  async resume(ctx, input) {
    const text = input.kind === 'speech' || input.kind === 'text' ? input.text : '';
    const value = text ? matchChoice(ctx.config.choices, text) : undefined;
    if (value) {
      if (ctx.config.variable) ctx.state.vars[ctx.config.variable] = value;
      return { port: value, input: text };
    }
    if (ctx.state.attempts <= ctx.config.retries) return listen(ctx);
    return { port: text ? 'nomatch' : 'timeout', input: text };
  },
};

// Chat: a question with buttons; the button pressed (its id, or its label typed) names the exit.
import type { FlowNodeImpl } from '../../engine/flow-types.ts';

export const buttonsNode: FlowNodeImpl<'buttons'> = {
  type: 'buttons',
  async run(ctx) {
    return { wait: { kind: 'text', output: { kind: 'buttons', text: ctx.fill(ctx.config.text), buttons: ctx.config.buttons } } };
  },
  async resume(ctx, input) {
    if (input.kind === 'timeout') return { port: 'timeout' };
    const said = (input.kind === 'digits' ? input.digits : input.text).trim().toLowerCase();
    const hit = ctx.config.buttons.find((b, i) => b.id.toLowerCase() === said || b.label.toLowerCase() === said || String(i + 1) === said);
    if (!hit) return { wait: { kind: 'text', output: { kind: 'buttons', text: ctx.fill(ctx.config.text), buttons: ctx.config.buttons } } };
    if (ctx.config.variable) ctx.state.vars[ctx.config.variable] = hit.id;
    return { port: hit.id, input: hit.id };
  },
};

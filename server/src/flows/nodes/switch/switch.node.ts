// Condition/switch: the first case whose comparison holds names the exit; none → `default`.
import type { FlowNodeImpl } from '../../engine/flow-types.ts';
import { compare } from '../../engine/variables.ts';

export const switchNode: FlowNodeImpl<'switch'> = {
  type: 'switch',
  async run(ctx) {
    const hit = ctx.config.cases.find((c) => compare(c.op, ctx.state.vars[c.variable], ctx.fill(c.value)));
    return { port: hit?.port ?? 'default' };
  },
};

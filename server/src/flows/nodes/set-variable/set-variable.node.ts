// Sets variables from templates (`{{caller}}`, literals), in order, so a later one may use an earlier one.
import type { FlowNodeImpl } from '../../engine/flow-types.ts';

export const setVariableNode: FlowNodeImpl<'set_variable'> = {
  type: 'set_variable',
  async run(ctx) {
    for (const a of ctx.config.assignments) ctx.state.vars[a.variable] = ctx.fill(a.value);
    return { port: 'next' };
  },
};

// Runs another flow's published version; its `return` node comes back here and follows `next`.
import type { FlowNodeImpl } from '../../engine/flow-types.ts';

export const subFlowNode: FlowNodeImpl<'sub_flow'> = {
  type: 'sub_flow',
  async run(ctx) {
    return { subFlow: ctx.config.flowId };
  },
};

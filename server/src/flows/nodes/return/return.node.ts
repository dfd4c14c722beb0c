// Ends a sub-flow: the calling flow continues after its sub-flow node. In a top-level flow it ends the run.
import type { FlowNodeImpl } from '../../engine/flow-types.ts';

export const returnNode: FlowNodeImpl<'return'> = {
  type: 'return',
  async run() {
    return { end: { kind: 'end' } };
  },
};

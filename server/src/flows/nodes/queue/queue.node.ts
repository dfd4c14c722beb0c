// Hands the call to a routing queue with a priority and skills, and says how the wait sounds: music (or ringback),
// position / estimated-wait announcements and a callback offer every so often (carried out by the voice service,
// server/src/voice/queue-wait.ts). With a maximum wait, the run can continue at the `overflow` exit when nobody
// answered in time (the resume point travels with the outcome).
import type { FlowNodeImpl } from '../../engine/flow-types.ts';

export const queueNode: FlowNodeImpl<'queue'> = {
  type: 'queue',
  async run(ctx) {
    const c = ctx.config;
    const overflowTarget = ctx.node.next.overflow;
    const frames = ctx.state.frames.map((f) => ({ ...f }));
    if (overflowTarget) frames[frames.length - 1]!.nodeId = overflowTarget;
    return {
      end: {
        kind: 'queue', queueId: c.queueId, priority: c.priority, skills: c.skills, maxWaitSeconds: c.maxWaitSeconds,
        announcePosition: c.announcePosition, offerCallback: c.offerCallback, announceEverySeconds: c.announceEverySeconds,
        callbackAfterSeconds: c.callbackAfterSeconds, callbackDigit: c.callbackDigit, music: c.music,
        ...(c.maxWaitSeconds && overflowTarget ? { overflow: { frames } } : {}),
      },
    };
  },
};

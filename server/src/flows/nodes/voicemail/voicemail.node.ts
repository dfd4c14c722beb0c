// Voicemail: the call session records the caller's message after the greeting (attached to the interaction).
import type { FlowNodeImpl } from '../../engine/flow-types.ts';

export const voicemailNode: FlowNodeImpl<'voicemail'> = {
  type: 'voicemail',
  async run(ctx) {
    const greeting = ctx.config.greeting ? ctx.prompt(ctx.config.greeting) : undefined;
    return { end: { kind: 'voicemail', greeting, maxSeconds: ctx.config.maxSeconds } };
  },
};

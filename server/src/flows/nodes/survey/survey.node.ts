// Post-contact survey hand-off: placed before the queue (or hand-off), it marks the interaction so that when the
// agent ends the conversation the customer is handed to the survey flow instead of being dropped (the voice call
// session and the web chat channel act on the mark). The sample rate decides here, once per interaction; the
// `survey` variable tells the rest of the flow (`pending` or `not_sampled`), e.g. to announce the survey.
import type { FlowNodeImpl } from '../../engine/flow-types.ts';

export const surveyNode: FlowNodeImpl<'survey'> = {
  type: 'survey',
  async run(ctx) {
    const { surveyFlowId, sampleRate } = ctx.config;
    const sampled = sampleRate >= 100 || (sampleRate > 0 && (ctx.services.random ?? Math.random)() * 100 < sampleRate);
    const interactionId = ctx.state.interactionId;
    // No interaction (the simulator): nothing to mark; the flow goes on as it would on a call.
    if (interactionId && ctx.services.surveys) {
      await ctx.services.surveys.mark(ctx.state.tenantId, {
        interactionId, surveyFlowId, flowId: ctx.state.frames.at(-1)?.flowId ?? null, nodeId: ctx.node.id, sampleRate, sampled,
      });
    }
    ctx.state.vars.survey = sampled ? 'pending' : 'not_sampled';
    return { port: 'next', input: sampled ? 'sampled' : 'not_sampled' };
  },
};

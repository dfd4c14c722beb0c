// Stores one survey answer of the interaction: the score (a template such as {{last_input}} after a menu or
// collected digits, or a button's variable in chat) checked against the question's scale, and/or a choice and a
// comment. An answer off the scale (or empty) is not stored: the `invalid` exit when connected, else `next`
// (a survey never traps a customer in an error path for a wrong key).
import type { FlowNodeImpl } from '../../engine/flow-types.ts';

export const surveyAnswerNode: FlowNodeImpl<'survey_answer'> = {
  type: 'survey_answer',
  async run(ctx) {
    const c = ctx.config;
    const raw = c.score ? ctx.fill(c.score).trim() : '';
    const choice = c.choice ? ctx.fill(c.choice).trim().slice(0, 200) || null : null;
    const comment = c.comment ? ctx.fill(c.comment).trim().slice(0, 2000) || null : null;
    let score: number | null = null;
    let valid = true;
    if (raw) {
      const n = Number(raw);
      if (/^\d+(\.\d{1,2})?$/.test(raw) && n >= c.scaleMin && n <= c.scaleMax) score = n;
      else valid = false;
    }
    if (score === null && !choice && !comment) valid = false;
    if (!valid) return { port: ctx.node.next.invalid ? 'invalid' : 'next', input: raw || undefined };
    const frame = ctx.state.frames.at(-1)!;
    if (ctx.state.interactionId && ctx.services.surveys) {
      await ctx.services.surveys.answer(ctx.state.tenantId, {
        interactionId: ctx.state.interactionId, surveyFlowId: frame.flowId, flowVersion: typeof frame.version === 'number' ? frame.version : null, nodeId: ctx.node.id,
        questionKey: c.question, questionText: c.text, score, scaleMin: c.scaleMin, scaleMax: c.scaleMax, choice, comment,
      });
    }
    ctx.state.vars[`survey_${c.question}`] = score !== null ? String(score) : (choice ?? comment ?? '');
    return { port: 'next', input: score !== null ? String(score) : (choice ?? undefined) };
  },
};

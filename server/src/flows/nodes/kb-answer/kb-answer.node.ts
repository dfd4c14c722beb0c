// Chat self-service: searches the tenant's public knowledge base with the customer's words (by default the last
// thing they wrote) and answers with the best articles and their help-center links; `found` or `not_found`.
import type { FlowNodeImpl } from '../../engine/flow-types.ts';

export const kbAnswerNode: FlowNodeImpl<'kb_answer'> = {
  type: 'kb_answer',
  async run(ctx) {
    if (!ctx.services.kbSearch) throw new Error('no knowledge base to search');
    const query = ctx.fill(ctx.config.query).trim();
    const hits = query ? await ctx.services.kbSearch(ctx.state.tenantId, query, { language: ctx.config.language, limit: ctx.config.maxResults }) : [];
    if (!hits.length) return { port: 'not_found', input: query };
    ctx.state.vars.kb_article_id = hits[0]!.id;
    ctx.state.vars.kb_article_title = hits[0]!.title;
    const lines = hits.map((h) => [h.title, h.snippet, h.url].filter(Boolean).join('\n'));
    await ctx.io.output({ kind: 'text', text: [ctx.config.intro ? ctx.fill(ctx.config.intro) : undefined, ...lines].filter(Boolean).join('\n\n') }, ctx.signal);
    return { port: 'found', input: query };
  },
};

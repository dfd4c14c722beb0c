// The public help-center API, no sign-in: /api/help/<tenant-slug>/… (outside /api/v1, whose routes all carry
// an access declaration and id kinds; these take a tenant slug and serve published public articles only).
// Writes from the public are rate-limited per address.
import { z } from 'zod';
import { AppError } from '../platform/errors.ts';
import type { App } from '../platform/http/server.ts';
import type { HelpCenterService } from './help-center.service.ts';

const slugParams = z.object({ slug: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be a tenant slug') });
const articleParams = slugParams.extend({ id: z.uuid({ message: 'must be a UUID' }) });
const sessionId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'must be 8-64 letters, digits, - or _');
const language = z.enum(['zh-CN', 'en']);

/** A fixed-window counter per address: at most `max` public writes a minute. */
export class PublicRateLimit {
  private readonly windows = new Map<string, { start: number; count: number }>();
  constructor(
    private readonly max = 30,
    private readonly now: () => number = Date.now,
  ) {}
  check(key: string): void {
    const t = this.now();
    const w = this.windows.get(key);
    if (!w || t - w.start >= 60_000) {
      if (this.windows.size > 10_000) this.windows.clear();
      this.windows.set(key, { start: t, count: 1 });
      return;
    }
    if (++w.count > this.max) throw new AppError('RATE_LIMITED', 'too many requests; try again in a minute', { retryAfterSeconds: 60 });
  }
}

export function helpRoutes(app: App, help: HelpCenterService, limit = new PublicRateLimit()): void {
  const access = { public: true } as const;
  app.get('/api/help/:slug', {
    config: { access },
    schema: { tags: ['help-center'], params: slugParams, querystring: z.object({ language: language.optional() }) },
  }, async (request) => help.home(request.params.slug, request.query.language));
  app.get('/api/help/:slug/search', {
    config: { access },
    schema: {
      tags: ['help-center'],
      params: slugParams,
      querystring: z.object({ q: z.string().trim().min(1, 'must not be empty').max(200), language: language.optional(), categoryId: z.uuid().optional(), sessionId: sessionId.optional() }),
    },
  }, async (request) => help.search(request.params.slug, request.query));
  app.get('/api/help/:slug/articles/:id', {
    config: { access },
    schema: { tags: ['help-center'], params: articleParams, querystring: z.object({ sessionId: sessionId.optional() }) },
  }, async (request) => help.article(request.params.slug, request.params.id, request.query.sessionId));
  app.post('/api/help/:slug/articles/:id/feedback', {
    config: { access },
    schema: { tags: ['help-center'], summary: 'Did this solve your problem?', params: articleParams, body: z.strictObject({ helpful: z.boolean(), sessionId }) },
  }, async (request) => {
    limit.check(request.ip);
    return help.feedback(request.params.slug, request.params.id, request.body);
  });
  app.post('/api/help/:slug/contact', {
    config: { access },
    schema: {
      tags: ['help-center'],
      params: slugParams,
      body: z.strictObject({
        articleId: z.uuid().optional(),
        sessionId,
        name: z.string().trim().min(1, 'must not be empty').max(100),
        contact: z.string().trim().min(3, 'must be a phone number or an email address').max(200),
        message: z.string().trim().min(1, 'must not be empty').max(5000),
      }),
    },
  }, async (request, reply) => {
    limit.check(request.ip);
    return reply.status(201).send(await help.contact(request.params.slug, request.body));
  });
}

// Knowledge-base routes for people and API keys (docs/kb.md): spaces, categories, articles and their workflow,
// synonyms, search, agent assist, new-business updates, contact requests and the content-gap report.
import { PassThrough } from 'node:stream';
import type { FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../platform/http/access.ts';
import type { App } from '../platform/http/server.ts';
import { idParams } from '../platform/http/schemas.ts';
import type { ArticlesService } from './articles.service.ts';
import { contentDisposition, MAX_ATTACHMENT_BYTES } from './attachment-types.ts';
import type { AttachmentsService, StoredAttachment } from './attachments.service.ts';
import { MAX_IMPORT_BYTES, type TransferService } from './transfer.service.ts';
import type { HelpCenterService } from './help-center.service.ts';
import type { SearchService } from './search.service.ts';
import type { SpacesService } from './spaces.service.ts';
import { AppError, invalid } from '../platform/errors.ts';
import { templates } from './templates.ts';
import type { UpdatesService } from './updates.service.ts';

export interface KbRoutesDeps {
  spaces: SpacesService;
  articles: ArticlesService;
  search: SearchService;
  updates: UpdatesService;
  help: HelpCenterService;
  attachments: AttachmentsService;
  transfer: TransferService;
}

/**
 * Sends an article's file with the type detected at upload: images inline, everything else as a download, never
 * sniffed, and sandboxed so that even a file opened directly cannot run script on Kefu's origin.
 */
export function sendKbFile(reply: FastifyReply, opened: { attachment: StoredAttachment; stream: NodeJS.ReadableStream }, cache: 'public' | 'private') {
  const { attachment } = opened;
  return reply
    .type(attachment.contentType)
    .header('content-length', attachment.size)
    .header('content-disposition', contentDisposition(attachment.inline ? 'inline' : 'attachment', attachment.fileName))
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', "default-src 'none'; sandbox")
    .header('cache-control', `${cache}, max-age=3600`)
    .send(opened.stream);
}

const name = z.string().trim().min(1, 'must not be empty').max(200);
const language = z.enum(['zh-CN', 'en']);
const visibility = z.enum(['internal', 'public', 'both']);
const tags = z.array(z.string().max(50)).max(30);
const body = z.string().max(200_000);
const ids = z.array(z.uuid()).max(50);
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date (YYYY-MM-DD)');
const instant = z.iso.datetime({ offset: true });
const tag = ['kb'];

export function kbRoutes(app: App, d: KbRoutesDeps): void {
  // Spaces and categories
  app.get('/api/v1/kb/spaces', { config: { access: { permission: 'authenticated' } }, schema: { tags: tag } }, async (request) => d.spaces.list(actorOf(request)));
  app.post('/api/v1/kb/spaces', {
    config: { access: { permission: 'kb.edit' } },
    schema: { tags: tag, body: z.strictObject({ divisionId: z.uuid(), name, description: z.string().max(2000).optional(), visibility }) },
  }, async (request, reply) => reply.status(201).send(await d.spaces.create(actorOf(request), request.body)));
  app.get('/api/v1/kb/spaces/:id', {
    config: { access: { permission: 'authenticated', resources: { id: 'kb_space' } } },
    schema: { tags: tag, params: idParams },
  }, async (request) => d.spaces.get(actorOf(request), request.params.id));
  app.patch('/api/v1/kb/spaces/:id', {
    config: { access: { permission: 'kb.edit', resources: { id: 'kb_space' } } },
    schema: { tags: tag, params: idParams, body: z.strictObject({ name: name.optional(), description: z.string().max(2000).optional(), visibility: visibility.optional() }) },
  }, async (request) => d.spaces.update(actorOf(request), request.params.id, request.body));
  app.delete('/api/v1/kb/spaces/:id', {
    config: { access: { permission: 'kb.edit', resources: { id: 'kb_space' } } },
    schema: { tags: tag, params: idParams },
  }, async (request, reply) => {
    await d.spaces.remove(actorOf(request), request.params.id);
    return reply.status(204).send();
  });
  app.post('/api/v1/kb/categories', {
    config: { access: { permission: 'kb.edit' } },
    schema: { tags: tag, body: z.strictObject({ spaceId: z.uuid(), parentId: z.uuid().optional(), name, position: z.number().int().min(0).max(10_000).optional() }) },
  }, async (request, reply) => reply.status(201).send(await d.spaces.createCategory(actorOf(request), request.body)));
  app.get('/api/v1/kb/categories/:id', {
    config: { access: { permission: 'authenticated', resources: { id: 'kb_category' } } },
    schema: { tags: tag, params: idParams },
  }, async (request) => d.spaces.getCategory(actorOf(request), request.params.id));
  app.patch('/api/v1/kb/categories/:id', {
    config: { access: { permission: 'kb.edit', resources: { id: 'kb_category' } } },
    schema: { tags: tag, params: idParams, body: z.strictObject({ name: name.optional(), position: z.number().int().min(0).max(10_000).optional() }) },
  }, async (request) => d.spaces.updateCategory(actorOf(request), request.params.id, request.body));
  app.delete('/api/v1/kb/categories/:id', {
    config: { access: { permission: 'kb.edit', resources: { id: 'kb_category' } } },
    schema: { tags: tag, params: idParams },
  }, async (request, reply) => {
    await d.spaces.removeCategory(actorOf(request), request.params.id);
    return reply.status(204).send();
  });

  // Articles
  app.get('/api/v1/kb/templates', { config: { access: { permission: 'authenticated' } }, schema: { tags: tag } }, async () => templates);
  app.get('/api/v1/kb/articles', {
    config: { access: { permission: 'authenticated' } },
    schema: {
      tags: tag,
      querystring: z.object({
        spaceId: z.uuid().optional(),
        categoryId: z.uuid().optional(),
        status: z.enum(['draft', 'published', 'archived']).optional(),
        language: language.optional(),
        tag: z.string().max(50).optional(),
        limit: z.coerce.number().int().min(1).max(200).default(50),
        offset: z.coerce.number().int().min(0).max(100_000).default(0),
      }),
    },
  }, async (request) => d.articles.list(actorOf(request), request.query));
  app.post('/api/v1/kb/articles', {
    config: { access: { permission: 'kb.edit' } },
    schema: {
      tags: tag,
      body: z.strictObject({
        spaceId: z.uuid(),
        categoryId: z.uuid().nullable().optional(),
        language,
        title: name,
        body: body.optional(),
        tags: tags.optional(),
        template: z.enum(['faq', 'troubleshooting', 'policy']).optional(),
        audience: z.enum(['internal', 'public']).optional(),
        translationOf: z.uuid().optional(),
        ownerId: z.uuid().nullable().optional(),
        reviewBy: day.nullable().optional(),
        expiresAt: instant.nullable().optional(),
        relatedIds: ids.optional(),
      }),
    },
  }, async (request, reply) => reply.status(201).send(await d.articles.create(actorOf(request), request.body)));
  app.get('/api/v1/kb/articles/:id', {
    config: { access: { permission: 'authenticated', resources: { id: 'kb_article' } } },
    schema: { tags: tag, params: idParams },
  }, async (request) => d.articles.get(actorOf(request), request.params.id));
  app.patch('/api/v1/kb/articles/:id', {
    config: { access: { permission: 'kb.edit', resources: { id: 'kb_article' } } },
    schema: {
      tags: tag,
      params: idParams,
      body: z.strictObject({
        title: name.optional(),
        body: body.optional(),
        tags: tags.optional(),
        note: z.string().max(500).optional(),
        categoryId: z.uuid().nullable().optional(),
        ownerId: z.uuid().nullable().optional(),
        reviewBy: day.nullable().optional(),
        expiresAt: instant.nullable().optional(),
        relatedIds: ids.optional(),
      }),
    },
  }, async (request) => d.articles.update(actorOf(request), request.params.id, request.body));
  app.post('/api/v1/kb/articles/:id/submit', {
    config: { access: { permission: 'kb.edit', resources: { id: 'kb_article' } } },
    schema: { tags: tag, summary: 'Send the latest draft to review', params: idParams, body: z.strictObject({ note: z.string().max(500).optional() }).optional() },
  }, async (request) => d.articles.submit(actorOf(request), request.params.id, request.body?.note));
  app.post('/api/v1/kb/articles/:id/approve', {
    config: { access: { permission: 'kb.approve', resources: { id: 'kb_article' } } },
    schema: { tags: tag, summary: 'Approve the version in review (publish now or at publishAt)', params: idParams, body: z.strictObject({ comment: z.string().max(2000).optional(), publishAt: instant.optional() }).optional() },
  }, async (request) => d.articles.approve(actorOf(request), request.params.id, request.body ?? {}));
  app.post('/api/v1/kb/articles/:id/reject', {
    config: { access: { permission: 'kb.approve', resources: { id: 'kb_article' } } },
    schema: { tags: tag, params: idParams, body: z.strictObject({ comment: z.string().max(2000).optional() }).optional() },
  }, async (request) => d.articles.reject(actorOf(request), request.params.id, request.body?.comment));
  app.post('/api/v1/kb/articles/:id/archive', {
    config: { access: { permission: 'kb.edit', resources: { id: 'kb_article' } } },
    schema: { tags: tag, params: idParams },
  }, async (request) => d.articles.archive(actorOf(request), request.params.id));
  app.get('/api/v1/kb/articles/:id/versions', {
    config: { access: { permission: 'kb.edit', resources: { id: 'kb_article' } } },
    schema: { tags: tag, params: idParams },
  }, async (request) => d.articles.versions(actorOf(request), request.params.id));
  app.get('/api/v1/kb/articles/:id/diff', {
    config: { access: { permission: 'kb.edit', resources: { id: 'kb_article' } } },
    schema: { tags: tag, params: idParams, querystring: z.object({ from: z.coerce.number().int().min(1).optional(), to: z.coerce.number().int().min(1).optional() }) },
  }, async (request) => d.articles.diff(actorOf(request), request.params.id, request.query.from, request.query.to));
  app.post('/api/v1/kb/articles/:id/restore', {
    config: { access: { permission: 'kb.edit', resources: { id: 'kb_article' } } },
    schema: { tags: tag, summary: 'Restore an old version as a new draft', params: idParams, body: z.strictObject({ version: z.number().int().min(1).optional() }) },
  }, async (request) => d.articles.restore(actorOf(request), request.params.id, request.body.version));
  app.get('/api/v1/kb/articles/:id/usage', {
    config: { access: { permission: 'kb.edit', resources: { id: 'kb_article' } } },
    schema: { tags: tag, summary: 'Which interactions this article helped', params: idParams },
  }, async (request) => d.search.usage(actorOf(request), request.params.id));
  app.get('/api/v1/kb/stale-articles', { config: { access: { permission: 'kb.edit' } }, schema: { tags: tag } }, async (request) => d.articles.stale(actorOf(request)));

  // Files and images in articles. Uploads take the raw file as the body (the type is detected from the bytes).
  app.get('/api/v1/kb/articles/:id/attachments', {
    config: { access: { permission: 'kb.edit', resources: { id: 'kb_article' } } },
    schema: { tags: tag, params: idParams },
  }, async (request) => d.attachments.list(actorOf(request), request.params.id));
  app.get('/api/v1/kb/attachments/:id', {
    config: { access: { permission: 'authenticated', resources: { id: 'kb_attachment' } } },
    schema: { tags: tag, params: idParams },
  }, async (request, reply) => sendKbFile(reply, await d.attachments.open(actorOf(request), request.params.id), 'private'));
  app.get('/api/v1/kb/attachments/:id/info', {
    config: { access: { permission: 'authenticated', resources: { id: 'kb_attachment' } } },
    schema: { tags: tag, summary: 'A file’s name, type and size (not its bytes)', params: idParams },
  }, async (request) => d.attachments.info(actorOf(request), request.params.id));
  app.delete('/api/v1/kb/attachments/:id', {
    config: { access: { permission: 'kb.edit', resources: { id: 'kb_attachment' } } },
    schema: { tags: tag, params: idParams },
  }, async (request, reply) => {
    await d.attachments.remove(actorOf(request), request.params.id);
    return reply.status(204).send();
  });
  // Import and export of a space: Markdown zip or CSV.
  const transferQuery = z.object({ spaceId: z.uuid(), format: z.enum(['zip', 'csv']).default('zip') });
  app.get('/api/v1/kb/export', {
    config: { access: { permission: 'kb.edit' } },
    schema: { tags: tag, summary: 'Export a space as a Markdown zip or CSV', querystring: transferQuery },
  }, async (request, reply) => {
    const actor = actorOf(request);
    const file = request.query.format === 'csv' ? await d.transfer.exportCsv(actor, request.query.spaceId) : await d.transfer.exportZip(actor, request.query.spaceId);
    return reply
      .type(request.query.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/zip')
      .header('content-disposition', contentDisposition('attachment', file.fileName))
      .header('x-content-type-options', 'nosniff')
      .send(file.data);
  });
  void app.register(async (plain) => {
    const scope = plain.withTypeProvider<ZodTypeProvider>();
    const limit = Math.max(MAX_ATTACHMENT_BYTES, MAX_IMPORT_BYTES);
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: limit }, (_req, raw, done) => done(null, raw));
    scope.removeContentTypeParser(['application/json', 'text/plain']);
    scope.addContentTypeParser(['application/json', 'text/plain'], { parseAs: 'buffer', bodyLimit: limit }, (_req, raw, done) => done(null, raw));
    scope.post('/api/v1/kb/import', {
      config: { access: { permission: 'kb.edit' } },
      schema: { tags: tag, summary: 'Import a Markdown zip or CSV (raw body) into a space as drafts', querystring: transferQuery },
      bodyLimit: MAX_IMPORT_BYTES,
    }, async (request, reply) => {
      if (!Buffer.isBuffer(request.body)) throw invalid('file', 'send the file as the request body');
      const actor = actorOf(request);
      const { spaceId, format } = request.query;
      if (!(request.headers.accept ?? '').includes('application/x-ndjson')) return d.transfer.importFile(actor, spaceId, format, request.body);
      // Progress as it goes: one JSON line per article ({"progress":{done,total}}), then {"report":…} or
      // {"error":…}. The status is sent before the work starts, so errors travel in the stream.
      const stream = new PassThrough();
      const line = (value: unknown) => stream.write(`${JSON.stringify(value)}\n`);
      void reply.type('application/x-ndjson').header('cache-control', 'no-store').send(stream);
      d.transfer
        .importFile(actor, spaceId, format, request.body, (done, total) => line({ progress: { done, total } }))
        .then((report) => line({ report }))
        .catch((err: unknown) => line({ error: err instanceof AppError ? { code: err.code, message: err.message, field: err.field } : { code: 'INTERNAL', message: 'the import failed' } }))
        .finally(() => stream.end());
      return reply;
    });
    scope.post('/api/v1/kb/articles/:id/attachments', {
      config: { access: { permission: 'kb.edit', resources: { id: 'kb_article' } } },
      schema: { tags: tag, summary: 'Upload a file or image (raw body) into an article', params: idParams, querystring: z.object({ name: z.string().min(1).max(300).default('file') }) },
      bodyLimit: MAX_ATTACHMENT_BYTES,
    }, async (request, reply) => {
      // The service checks the article before the body, so another tenant's article is a 404 whatever is sent.
      return reply.status(201).send(await d.attachments.upload(actorOf(request), request.params.id, Buffer.isBuffer(request.body) ? request.body : undefined, request.query.name));
    });
  });

  // Synonyms
  app.get('/api/v1/kb/synonyms', { config: { access: { permission: 'kb.edit' } }, schema: { tags: tag } }, async (request) => d.spaces.listSynonyms(actorOf(request)));
  app.post('/api/v1/kb/synonyms', {
    config: { access: { permission: 'kb.edit' } },
    schema: { tags: tag, body: z.strictObject({ terms: z.array(z.string().max(100)).min(2).max(20) }) },
  }, async (request, reply) => reply.status(201).send(await d.spaces.createSynonym(actorOf(request), request.body.terms)));
  app.patch('/api/v1/kb/synonyms/:id', {
    config: { access: { permission: 'kb.edit', resources: { id: 'kb_synonym' } } },
    schema: { tags: tag, params: idParams, body: z.strictObject({ terms: z.array(z.string().max(100)).min(2).max(20).optional() }) },
  }, async (request) => d.spaces.updateSynonym(actorOf(request), request.params.id, request.body.terms));
  app.delete('/api/v1/kb/synonyms/:id', {
    config: { access: { permission: 'kb.edit', resources: { id: 'kb_synonym' } } },
    schema: { tags: tag, params: idParams },
  }, async (request, reply) => {
    await d.spaces.removeSynonym(actorOf(request), request.params.id);
    return reply.status(204).send();
  });

  // Search and agent assist
  app.get('/api/v1/kb/search', {
    config: { access: { permission: 'authenticated' } },
    schema: {
      tags: tag,
      querystring: z.object({
        q: z.string().trim().min(1, 'must not be empty').max(200),
        spaceId: z.uuid().optional(),
        categoryId: z.uuid().optional(),
        tag: z.string().max(50).optional(),
        language: language.optional(),
        limit: z.coerce.number().int().min(1).max(50).default(10),
      }),
    },
  }, async (request) => d.search.search(actorOf(request), request.query));
  app.post('/api/v1/kb/assist/suggestions', {
    config: { access: { permission: 'agent.desktop' } },
    schema: {
      tags: tag,
      summary: 'Articles for the conversation so far',
      body: z.strictObject({
        messages: z.array(z.strictObject({ from: z.enum(['customer', 'agent']), text: z.string().max(5000) })).min(1).max(50),
        language: language.optional(),
        limit: z.number().int().min(1).max(20).optional(),
      }),
    },
  }, async (request) => d.search.suggest(actorOf(request), request.body));
  app.post('/api/v1/kb/assist/usage', {
    config: { access: { permission: 'agent.desktop' } },
    schema: {
      tags: tag,
      summary: 'Record that an article was used in an interaction',
      body: z.strictObject({ articleId: z.uuid(), interactionId: z.string().min(1).max(100), action: z.enum(['viewed', 'inserted_link', 'inserted_snippet', 'helped']) }),
    },
  }, async (request, reply) => reply.status(201).send(await d.search.recordUsage(actorOf(request), request.body)));

  // New-business updates
  app.get('/api/v1/kb/updates', {
    config: { access: { permission: 'authenticated' } },
    schema: { tags: tag, querystring: z.object({ unread: z.enum(['true', 'false']).optional(), limit: z.coerce.number().int().min(1).max(200).default(50) }) },
  }, async (request) => d.updates.feed(actorOf(request), { unreadOnly: request.query.unread === 'true', limit: request.query.limit }));
  app.post('/api/v1/kb/updates', {
    config: { access: { permission: 'kb.edit' } },
    schema: { tags: tag, body: z.strictObject({ divisionId: z.uuid(), title: name, body, requiresAck: z.boolean().optional(), articleId: z.uuid().optional() }) },
  }, async (request, reply) => reply.status(201).send(await d.updates.create(actorOf(request), request.body)));
  app.get('/api/v1/kb/updates/:id', {
    config: { access: { permission: 'authenticated', resources: { id: 'kb_update' } } },
    schema: { tags: tag, params: idParams },
  }, async (request) => d.updates.get(actorOf(request), request.params.id));
  app.post('/api/v1/kb/updates/:id/read', {
    config: { access: { permission: 'authenticated', resources: { id: 'kb_update' }, peopleOnly: true } },
    schema: { tags: tag, params: idParams },
  }, async (request) => d.updates.markRead(actorOf(request), request.params.id));
  app.post('/api/v1/kb/updates/:id/acknowledge', {
    config: { access: { permission: 'authenticated', resources: { id: 'kb_update' }, peopleOnly: true } },
    schema: { tags: tag, params: idParams },
  }, async (request) => d.updates.acknowledge(actorOf(request), request.params.id));
  app.get('/api/v1/kb/updates/:id/report', {
    config: { access: { permission: 'supervisor.console', resources: { id: 'kb_update' } } },
    schema: { tags: tag, summary: 'Who has read and acknowledged this update', params: idParams },
  }, async (request) => d.updates.report(actorOf(request), request.params.id));
  app.post('/api/v1/kb/updates/:id/remind', {
    config: { access: { permission: 'supervisor.console', resources: { id: 'kb_update' } } },
    schema: { tags: tag, params: idParams },
  }, async (request) => d.updates.remind(actorOf(request), request.params.id));

  // Help-center follow-up and reports
  app.get('/api/v1/kb/contact-requests', { config: { access: { permission: 'agent.desktop' } }, schema: { tags: tag } }, async (request) =>
    d.help.contactRequests(actorOf(request)),
  );
  app.get('/api/v1/kb/reports/content-gaps', {
    config: { access: { permission: 'kb.edit' } },
    schema: { tags: tag, querystring: z.object({ days: z.coerce.number().int().min(1).max(365).default(30) }) },
  }, async (request) => d.help.contentGaps(actorOf(request), request.query.days));
}

// Web chat HTTP routes: widget administration (channels.manage), the agent's side of a chat (the assigned agent
// replies, marks read, ends; supervisors read), attachments for visitors (by visitor token) and agents, and the
// widget's own files (loader script and chat page) served from Kefu.
import type { FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { contentDisposition } from '../../conversations/attachment-types.ts';
import { MAX_ATTACHMENT_BYTES, type AttachmentsService, type StoredAttachment } from '../../conversations/attachments.service.ts';
import type { MessagesService } from '../../conversations/messages.service.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { actorOf } from '../../platform/http/access.ts';
import type { App } from '../../platform/http/server.ts';
import { idParams } from '../../platform/http/schemas.ts';
import type { RateLimiter } from './rate-limiter.ts';
import type { VisitorTokens } from './visitor-identity.ts';
import type { WebchatService } from './webchat.service.ts';
import { createWidgetBody, updateWidgetBody, type WidgetsService } from './widgets.service.ts';

export interface WebchatRouteDeps {
  widgets: WidgetsService;
  chats: WebchatService;
  messages: MessagesService;
  attachments: AttachmentsService;
  tokens: VisitorTokens;
  uploadsPerVisitor: RateLimiter;
}

const sendBody = z.strictObject({ clientMessageId: z.string().min(1).max(64), text: z.string().max(4000), attachmentId: z.uuid().optional() });
const chatParams = z.object({ id: z.uuid({ message: 'must be a UUID' }) });
const attachmentParams = z.object({ id: z.uuid({ message: 'must be a UUID' }), attachmentId: z.uuid({ message: 'must be a UUID' }) });

/**
 * Sends an attachment so that a browser can never run it: the type detected at upload, nosniff (set for every
 * reply), images inline and everything else as a download, and a CSP sandbox in case it is opened directly.
 */
function sendAttachment(reply: FastifyReply, opened: { attachment: StoredAttachment; stream: NodeJS.ReadableStream }) {
  const { attachment } = opened;
  return reply
    .type(attachment.contentType)
    .header('content-length', attachment.size)
    .header('content-disposition', contentDisposition(attachment.inline ? 'inline' : 'attachment', attachment.fileName))
    .header('content-security-policy', "default-src 'none'; sandbox")
    .header('cache-control', 'private, max-age=3600')
    .send(opened.stream);
}

export function webchatRoutes(app: App, d: WebchatRouteDeps): void {
  // Administration
  app.get('/api/v1/webchat/widgets', { config: { access: { permission: 'channels.manage' } }, schema: { tags: ['webchat'] } }, async (r) => d.widgets.list(actorOf(r)));
  app.post('/api/v1/webchat/widgets', { config: { access: { permission: 'channels.manage' } }, schema: { tags: ['webchat'], body: createWidgetBody } }, async (r, reply) =>
    reply.status(201).send(await d.widgets.create(actorOf(r), r.body)),
  );
  app.get('/api/v1/webchat/widgets/:id', {
    config: { access: { permission: 'channels.manage', resources: { id: 'chat_widget' } } },
    schema: { tags: ['webchat'], params: idParams },
  }, async (r) => d.widgets.get(actorOf(r), r.params.id));
  app.patch('/api/v1/webchat/widgets/:id', {
    config: { access: { permission: 'channels.manage', resources: { id: 'chat_widget' } } },
    schema: { tags: ['webchat'], params: idParams, body: updateWidgetBody },
  }, async (r) => d.widgets.update(actorOf(r), r.params.id, r.body));
  app.post('/api/v1/webchat/widgets/:id/rotate-secret', {
    config: { access: { permission: 'channels.manage', resources: { id: 'chat_widget' } } },
    schema: { tags: ['webchat'], params: idParams },
  }, async (r) => d.widgets.rotateSecret(actorOf(r), r.params.id));

  // The agent's side
  app.get('/api/v1/chats', { config: { access: { permission: 'agent.desktop' } }, schema: { tags: ['webchat'] } }, async (r) => {
    const actor = actorOf(r);
    return actor.userId ? d.chats.sessions.ofAgent(actor.tenantId, actor.userId) : [];
  });
  app.get('/api/v1/chats/:id', {
    config: { access: { permission: 'agent.desktop', resources: { id: 'interaction' } } },
    schema: { tags: ['webchat'], params: chatParams },
  }, async (r) => d.chats.forAgent(actorOf(r), r.params.id, false));
  app.get('/api/v1/chats/:id/messages', {
    config: { access: { permission: 'agent.desktop', resources: { id: 'interaction' } } },
    schema: { tags: ['webchat'], params: chatParams, querystring: z.object({ afterSeq: z.coerce.number().int().min(0).default(0) }) },
  }, async (r) => {
    const session = await d.chats.forAgent(actorOf(r), r.params.id, false);
    return { items: await d.messages.after(session.tenantId, session.interactionId, r.query.afterSeq) };
  });
  app.post('/api/v1/chats/:id/messages', {
    config: { access: { permission: 'agent.desktop', resources: { id: 'interaction' } } },
    schema: { tags: ['webchat'], params: chatParams, body: sendBody },
  }, async (r, reply) => reply.status(201).send(await d.chats.agentSend(actorOf(r), r.params.id, r.body)));
  app.post('/api/v1/chats/:id/read', {
    config: { access: { permission: 'agent.desktop', resources: { id: 'interaction' } } },
    schema: { tags: ['webchat'], params: chatParams, body: z.strictObject({ seq: z.number().int().min(0) }) },
  }, async (r) => {
    const session = await d.chats.forAgent(actorOf(r), r.params.id, true);
    await d.chats.receipt(session.tenantId, session.interactionId, 'agent', 'read', r.body.seq);
    return { ok: true };
  });
  app.post('/api/v1/chats/:id/typing', {
    config: { access: { permission: 'agent.desktop', resources: { id: 'interaction' } } },
    schema: { tags: ['webchat'], params: chatParams, body: z.strictObject({ on: z.boolean() }) },
  }, async (r) => {
    const session = await d.chats.forAgent(actorOf(r), r.params.id, true);
    d.chats.typing(session.tenantId, session.interactionId, 'agent', r.body.on);
    return { ok: true };
  });
  app.post('/api/v1/chats/:id/end', {
    config: { access: { permission: 'agent.desktop', resources: { id: 'interaction' } } },
    schema: { tags: ['webchat'], params: chatParams },
  }, async (r) => {
    await d.chats.end(await d.chats.forAgent(actorOf(r), r.params.id, true), 'agent');
    return { ok: true };
  });
  app.get('/api/v1/chats/:id/attachments/:attachmentId', {
    config: { access: { permission: 'agent.desktop', resources: { id: 'interaction', attachmentId: 'chat_attachment' } } },
    schema: { tags: ['webchat'], params: attachmentParams },
  }, async (r, reply) => {
    const session = await d.chats.forAgent(actorOf(r), r.params.id, false);
    return sendAttachment(reply, await d.attachments.open(session.tenantId, session.interactionId, r.params.attachmentId));
  });

  // Uploads take the raw file as the body (any Content-Type: the type is detected from the bytes).
  void app.register(async (plain) => {
    const scope = plain.withTypeProvider<ZodTypeProvider>();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_ATTACHMENT_BYTES }, (_req, body, done) => done(null, body));
    scope.removeContentTypeParser(['application/json', 'text/plain']);
    scope.addContentTypeParser(['application/json', 'text/plain'], { parseAs: 'buffer', bodyLimit: MAX_ATTACHMENT_BYTES }, (_req, body, done) => done(null, body));
    const fileQuery = z.object({ name: z.string().min(1).max(300).default('file') });

    scope.post('/api/v1/chats/:id/attachments', {
      config: { access: { permission: 'agent.desktop', resources: { id: 'interaction' } } },
      schema: { tags: ['webchat'], params: chatParams, querystring: fileQuery },
      bodyLimit: MAX_ATTACHMENT_BYTES,
    }, async (r, reply) => {
      const session = await d.chats.forAgent(actorOf(r), r.params.id, true);
      if (!Buffer.isBuffer(r.body)) throw new AppError('VALIDATION_FAILED', 'send the file as the request body', { field: 'file' });
      return reply.status(201).send(await d.chats.storeAttachment(session, 'agent', r.body, r.query.name));
    });

    // Visitors: the widget's signed visitor token proves whose chat it is.
    scope.post('/api/v1/webchat/attachments', {
      config: { access: { public: true } },
      schema: { tags: ['webchat'], querystring: fileQuery.extend({ widget: z.uuid() }), headers: z.object({ 'x-visitor-token': z.string().max(300) }).passthrough() },
      bodyLimit: MAX_ATTACHMENT_BYTES,
    }, async (r, reply) => {
      const session = await visitorSession(r.query.widget, r.headers['x-visitor-token']);
      if (!d.uploadsPerVisitor.take(session.visitorId)) throw new AppError('RATE_LIMITED', 'too many uploads; wait a moment', { retryAfterSeconds: 10 });
      if (!Buffer.isBuffer(r.body)) throw new AppError('VALIDATION_FAILED', 'send the file as the request body', { field: 'file' });
      return reply.status(201).send(await d.chats.storeAttachment(session, 'customer', r.body, r.query.name));
    });
  });

  const visitorSession = async (widgetId: string, token: string) => {
    const widget = await d.widgets.byPublicId(widgetId);
    const visitorId = widget ? d.tokens.verify(widget.tenantId, widget.id, token) : undefined;
    if (!widget || !visitorId) throw new AppError('FORBIDDEN', 'the visitor token is not valid for this widget');
    const session = await d.chats.sessions.latest(widget.tenantId, widget.id, visitorId);
    if (!session) throw notFound('chat');
    return session;
  };

  app.get('/api/v1/webchat/attachments/:id', {
    config: { access: { public: true } },
    schema: { tags: ['webchat'], params: idParams, querystring: z.object({ widget: z.uuid(), token: z.string().max(300) }) },
  }, async (r, reply) => {
    const session = await visitorSession(r.query.widget, r.query.token);
    return sendAttachment(reply, await d.attachments.open(session.tenantId, session.interactionId, r.params.id));
  });
}

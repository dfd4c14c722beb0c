// Web chat conversations: a visitor starts a chat (an interaction of channel chat, linked to a CRM contact), the
// chat flow hook may talk first, then routing queues it; the agent who accepts gets it over the realtime socket;
// both sides append messages (sequence numbers, idempotent client ids), receipts and typing go to the chat topic,
// and either side ends it (the interaction closes; its messages are the transcript).
import type { FlowOutput, PrechatAnswers } from '@kefu/contracts';
import { sql } from 'drizzle-orm';
import type { AttachmentsService } from '../../conversations/attachments.service.ts';
import type { InteractionsService } from '../../conversations/interactions.service.ts';
import type { ConversationMessage, MessagesService } from '../../conversations/messages.service.ts';
import type { Actor } from '../../platform/auth/actor.ts';
import { canSeeDivision } from '../../platform/auth/actor.ts';
import type { Database } from '../../platform/db/database.ts';
import { AppError, invalid, notFound } from '../../platform/errors.ts';
import type { RealtimeHub } from '../../realtime/realtime.hub.ts';
import type { ChatFlowHook } from '../conversation-intake.ts';
import type { ChatSession, ChatSessions } from './chat-sessions.ts';
import { publishChat } from './chat-topic.ts';
import type { ContactLinker } from './contact-link.ts';
import type { VerifiedIdentity } from './visitor-identity.ts';
import { isOpen } from './widget-settings.ts';
import type { WidgetWithSecret } from './widgets.service.ts';

/** The part of the RoutingService web chat uses (routing.module.ts). */
export interface ChatRouting {
  enqueue(tenantId: string, input: { queueId: string; channel: 'chat'; attributes?: Record<string, string | number | boolean | null>; contactId?: string | null; externalRef?: string | null }): Promise<{ taskId: string; position: number | null; estimatedWaitSeconds: number | null }>;
  cancel(tenantId: string, taskId: string, reason?: 'abandoned' | 'cancelled'): Promise<void>;
  complete(tenantId: string, taskId: string): Promise<void>;
  getTask(tenantId: string, taskId: string): Promise<{ position: number | null; estimatedWaitSeconds: number | null }>;
}

export interface StartInput {
  widget: WidgetWithSecret;
  visitorId: string;
  verified: VerifiedIdentity | undefined;
  prechat: PrechatAnswers;
  pageUrl: string | null;
  referrer: string | null;
  locale: string | null;
}

const messageText = (locale: string | null, zh: string, en: string) => (locale === 'en' ? en : zh);

export class WebchatService {
  constructor(
    private readonly deps: {
      database: Database;
      hub: RealtimeHub;
      routing: () => ChatRouting;
      interactions: InteractionsService;
      messages: MessagesService;
      attachments: AttachmentsService;
      sessions: ChatSessions;
      contacts: ContactLinker;
      chatFlow: () => ChatFlowHook | undefined;
      now?: () => Date;
    },
  ) {}

  get sessions(): ChatSessions {
    return this.deps.sessions;
  }

  private publishMessage(tenantId: string, message: ConversationMessage): void {
    publishChat(this.deps.hub, tenantId, message.interactionId, 'chat.message', message);
  }

  private publishStatus(session: Pick<ChatSession, 'tenantId' | 'interactionId'>, status: ChatSession['status'], agentName: string | null): void {
    publishChat(this.deps.hub, session.tenantId, session.interactionId, 'chat.status', { interactionId: session.interactionId, status, agentName });
  }

  private async system(tenantId: string, interactionId: string, body: string): Promise<void> {
    const { message } = await this.deps.messages.append(tenantId, interactionId, { sender: 'system', body });
    this.publishMessage(tenantId, message);
  }

  /**
   * Opens the chat (or returns the visitor's live one): contact, interaction, first message. The caller then
   * watches the conversation and calls `proceed`, so that nothing the bot or routing says is missed.
   */
  async start(input: StartInput, clientMessageId: string | null): Promise<ChatSession> {
    const { widget } = input;
    const latest = await this.deps.sessions.latest(widget.tenantId, widget.id, input.visitorId);
    if (latest && latest.status !== 'ended') return latest;
    const name = (input.verified?.name ?? input.prechat.name ?? '').trim();
    for (const rule of widget.settings.prechat) {
      if (rule.required && !input.verified && !input.prechat[rule.field]?.trim()) throw invalid(`prechat.${rule.field}`, 'is required');
    }
    const contactId = await this.deps.contacts.link(widget.tenantId, widget.divisionId, input.visitorId, name, input.verified);
    const interaction = await this.deps.interactions.open(widget.tenantId, {
      divisionId: widget.divisionId,
      channel: 'chat',
      direction: 'inbound',
      from: `visitor:${input.visitorId}`,
      to: `widget:${widget.id}`,
      externalRef: input.visitorId,
    });
    const open = isOpen(widget.settings.businessHours, this.deps.now?.() ?? new Date());
    const flow = open && widget.settings.chatFlowId ? this.deps.chatFlow() : undefined;
    await this.deps.sessions.create({
      interactionId: interaction.id,
      tenantId: widget.tenantId,
      widgetId: widget.id,
      visitorId: input.visitorId,
      verifiedUserId: input.verified?.userId ?? null,
      contactId,
      status: !open ? 'offline' : flow ? 'bot' : 'queued',
      visitorName: name || 'Web visitor',
      prechat: input.prechat,
      pageUrl: input.pageUrl,
      referrer: input.referrer,
      locale: input.locale,
    });
    if (input.prechat.question?.trim()) {
      await this.deps.messages.append(widget.tenantId, interaction.id, { sender: 'customer', senderName: name, clientMessageId, body: input.prechat.question.trim() });
    }
    return (await this.deps.sessions.get(widget.tenantId, interaction.id))!;
  }

  /** After `start`: the offline note, the chat flow, or straight to routing. Does nothing for a chat under way. */
  async proceed(session: ChatSession, flowId: string | null): Promise<ChatSession> {
    const messages = await this.deps.messages.after(session.tenantId, session.interactionId, 0, 50);
    if (messages.some((m) => m.sender !== 'customer') || session.taskId) return session; // proceeded already
    if (session.status === 'offline') {
      // Outside business hours the chat becomes a message waiting for follow-up (a ticket once tickets exist).
      await this.system(session.tenantId, session.interactionId, messageText(session.locale, '我们现在不在线，已收到您的留言，会尽快回复您。', 'We are offline now. We have your message and will get back to you.'));
      return session;
    }
    const flow = session.status === 'bot' && flowId ? this.deps.chatFlow() : undefined;
    if (flow && flowId) {
      await this.deps.interactions.segment(session.tenantId, session.interactionId, 'flow');
      const handOff = await flow
        .start({ tenantId: session.tenantId, flowId, interactionId: session.interactionId, vars: { name: session.prechat.name, email: session.prechat.email, phone: session.prechat.phone, question: session.prechat.question } })
        .catch(() => ({ queueId: null })); // a broken flow must not strand the customer
      if (!handOff) return (await this.deps.sessions.get(session.tenantId, session.interactionId))!;
      await this.deps.sessions.transition(session.tenantId, session.interactionId, ['bot'], 'queued');
      return this.handOff({ ...session, status: 'queued' }, handOff.queueId ?? null);
    }
    if (session.status === 'bot') await this.deps.sessions.transition(session.tenantId, session.interactionId, ['bot'], 'queued');
    return this.handOff({ ...session, status: 'queued' }, null);
  }

  /** Queues the chat in routing (the widget's queue, or the division's first queue that serves chat). */
  async handOff(session: ChatSession, queueId: string | null): Promise<ChatSession> {
    const widgetQueue = await this.deps.database.withTenant(session.tenantId, async (tx) => {
      const [row] = (
        await tx.execute<{ id: string }>(sql`
          SELECT coalesce(
            (SELECT queue_id FROM webchat_widgets WHERE tenant_id = ${session.tenantId} AND id = ${session.widgetId}),
            (SELECT id FROM routing_queues WHERE tenant_id = ${session.tenantId} AND division_id = ${session.divisionId} AND 'chat' = ANY(channels) ORDER BY created_at, id LIMIT 1)
          ) AS id`)
      ).rows;
      return row?.id ?? null;
    });
    const target = queueId ?? widgetQueue;
    if (!target) {
      await this.deps.sessions.transition(session.tenantId, session.interactionId, ['queued', 'bot'], 'offline');
      await this.system(session.tenantId, session.interactionId, messageText(session.locale, '暂时没有客服可以接待，已收到您的留言。', 'Nobody can take chats right now. We have your message.'));
      return (await this.deps.sessions.get(session.tenantId, session.interactionId))!;
    }
    const task = await this.deps.routing().enqueue(session.tenantId, {
      queueId: target,
      channel: 'chat',
      contactId: session.contactId,
      externalRef: session.interactionId,
      attributes: { interactionId: session.interactionId, visitorName: session.visitorName, page: session.pageUrl, question: session.prechat.question ?? null },
    });
    await this.deps.sessions.transition(session.tenantId, session.interactionId, ['queued'], 'queued', { taskId: task.taskId });
    await this.deps.interactions.update(session.tenantId, session.interactionId, { flowEndedAt: new Date(), queuedAt: new Date() });
    await this.deps.interactions.segment(session.tenantId, session.interactionId, 'queue');
    this.publishStatus(session, 'queued', null);
    return (await this.deps.sessions.get(session.tenantId, session.interactionId))!;
  }

  /** A chat flow's output as a bot message; buttons travel with the live event and as text lines in the transcript. */
  async botSay(tenantId: string, interactionId: string, output: FlowOutput): Promise<void> {
    if (output.kind !== 'text' && output.kind !== 'buttons') return; // voice outputs (say, play) mean nothing here
    const body = output.kind === 'buttons' ? [output.text, ...output.buttons.map((b) => `• ${b.label}`)].join('\n') : output.text;
    const { message } = await this.deps.messages.append(tenantId, interactionId, { sender: 'bot', senderName: 'Bot', body });
    publishChat(this.deps.hub, tenantId, interactionId, 'chat.message', output.kind === 'buttons' ? { ...message, buttons: output.buttons } : message);
  }

  /** The chat flow hands the chat to a person. */
  async botHandOff(tenantId: string, interactionId: string, queueId: string | null): Promise<void> {
    const session = await this.deps.sessions.get(tenantId, interactionId);
    if (!session || !(await this.deps.sessions.transition(tenantId, interactionId, ['bot'], 'queued'))) return;
    await this.handOff({ ...session, status: 'queued' }, queueId);
  }

  /** Routing gave the chat's task to an agent (task.assigned): the agent's socket gets `chat.assigned`. */
  async assigned(tenantId: string, taskId: string, agentId: string): Promise<void> {
    const session = await this.deps.sessions.byTask(tenantId, taskId);
    if (!session) return; // not a web chat task
    if (!(await this.deps.sessions.transition(tenantId, session.interactionId, ['queued'], 'assigned', { agentId }))) return;
    await this.deps.interactions.update(tenantId, session.interactionId, { answeredAt: new Date(), offeredAt: new Date(), agentId });
    await this.deps.interactions.segment(tenantId, session.interactionId, 'agent', { userId: agentId });
    const now = (await this.deps.sessions.get(tenantId, session.interactionId))!;
    this.deps.hub.sendToUser(tenantId, agentId, {
      type: 'event',
      name: 'chat.assigned',
      data: {
        interactionId: now.interactionId,
        visitorName: now.visitorName,
        contactId: now.contactId,
        verified: now.verifiedUserId !== null,
        prechat: now.prechat,
        page: now.pageUrl,
        referrer: now.referrer,
      },
    });
    this.publishStatus(now, 'assigned', now.agentName);
  }

  /** Routing gave up on the task (maximum wait): the chat waits for follow-up like an offline message. */
  async expired(tenantId: string, taskId: string): Promise<void> {
    const session = await this.deps.sessions.byTask(tenantId, taskId);
    if (!session || !(await this.deps.sessions.transition(tenantId, session.interactionId, ['queued'], 'offline'))) return;
    this.publishStatus(session, 'offline', null);
    await this.system(tenantId, session.interactionId, messageText(session.locale, '暂时没有客服可以接待，已收到您的留言。', 'Nobody can take chats right now. We have your message.'));
  }

  async visitorSend(session: ChatSession, input: { clientMessageId: string; text: string; attachmentId?: string | undefined }): Promise<ConversationMessage> {
    if (session.status === 'ended') throw new AppError('CONFLICT', 'the chat has ended');
    if (!input.text.trim() && !input.attachmentId) throw invalid('text', 'must not be empty');
    const { message, created } = await this.deps.messages.append(session.tenantId, session.interactionId, {
      sender: 'customer',
      senderName: session.visitorName,
      clientMessageId: input.clientMessageId,
      body: input.text,
      attachmentId: input.attachmentId ?? null,
    });
    if (created) this.publishMessage(session.tenantId, message);
    if (created && session.status === 'bot') {
      // The flow answers after the visitor's message is acknowledged; a failing flow hands the chat to a person.
      const flow = this.deps.chatFlow();
      void (flow?.input?.({ tenantId: session.tenantId, interactionId: session.interactionId, text: input.text }) ?? Promise.resolve()).catch(() =>
        this.botHandOff(session.tenantId, session.interactionId, null),
      );
    }
    return message;
  }

  /** An agent's session on a chat: the assigned agent, or a supervisor who may see its division. */
  async forAgent(actor: Actor, interactionId: string, write: boolean): Promise<ChatSession> {
    const session = await this.deps.sessions.get(actor.tenantId, interactionId);
    const mine = session && actor.userId !== null && session.agentId === actor.userId;
    const supervises = session && !write && actor.permissions.has('supervisor.console') && canSeeDivision(actor, session.divisionId);
    if (!session || !(mine || supervises)) throw notFound('chat');
    return session;
  }

  async agentSend(actor: Actor, interactionId: string, input: { clientMessageId: string; text: string; attachmentId?: string | undefined }): Promise<ConversationMessage> {
    const session = await this.forAgent(actor, interactionId, true);
    if (session.status !== 'assigned') throw new AppError('CONFLICT', 'the chat has ended');
    if (!input.text.trim() && !input.attachmentId) throw invalid('text', 'must not be empty');
    const { message, created } = await this.deps.messages.append(actor.tenantId, interactionId, {
      sender: 'agent',
      senderUserId: actor.userId,
      senderName: session.agentName ?? '',
      clientMessageId: input.clientMessageId,
      body: input.text,
      attachmentId: input.attachmentId ?? null,
    });
    if (created) this.publishMessage(actor.tenantId, message);
    return message;
  }

  /** Marks the other side's messages up to `seq` delivered or read and tells the other side. */
  async receipt(tenantId: string, interactionId: string, reader: 'customer' | 'agent', kind: 'delivered' | 'read', seq: number): Promise<void> {
    const upTo = await this.deps.messages.receipt(tenantId, interactionId, reader, kind, seq);
    if (upTo !== null) publishChat(this.deps.hub, tenantId, interactionId, 'chat.receipt', { interactionId, by: reader, kind, seq: upTo });
  }

  typing(tenantId: string, interactionId: string, by: 'customer' | 'agent', on: boolean): void {
    publishChat(this.deps.hub, tenantId, interactionId, 'chat.typing', { interactionId, by, on });
  }

  /** Ends the chat: the routing task completes (or leaves the queue), the interaction closes. */
  async end(session: ChatSession, by: 'customer' | 'agent'): Promise<void> {
    if (!(await this.deps.sessions.transition(session.tenantId, session.interactionId, ['bot', 'queued', 'assigned', 'offline'], 'ended'))) return;
    if (session.taskId) {
      const routing = this.deps.routing();
      await (session.status === 'assigned' ? routing.complete(session.tenantId, session.taskId) : routing.cancel(session.tenantId, session.taskId, 'abandoned')).catch(() => {
        /* the task may have ended already (expired, completed by a retry) */
      });
    }
    await this.system(session.tenantId, session.interactionId, by === 'customer' ? messageText(session.locale, '访客结束了对话。', 'The visitor ended the chat.') : messageText(session.locale, '客服结束了对话。', 'The agent ended the chat.'));
    await this.deps.interactions.close(session.tenantId, session.interactionId, {
      hangupBy: by,
      endReason: session.status === 'assigned' ? 'normal' : session.status === 'offline' ? 'left_message' : 'abandoned',
    });
    this.publishStatus(session, 'ended', null);
  }

  async storeAttachment(session: ChatSession, by: 'customer' | 'agent', data: Buffer, fileName: string) {
    if (session.status === 'ended') throw new AppError('CONFLICT', 'the chat has ended');
    return this.deps.attachments.store(session.tenantId, session.interactionId, { data, fileName, uploadedBy: by });
  }

  async queueEstimate(session: ChatSession): Promise<{ position: number | null; estimatedWaitSeconds: number | null } | undefined> {
    if (session.status !== 'queued' || !session.taskId) return undefined;
    return this.deps.routing().getTask(session.tenantId, session.taskId).then(
      (t) => ({ position: t.position, estimatedWaitSeconds: t.estimatedWaitSeconds }),
      () => undefined,
    );
  }
}

// Web chat conversations: a visitor starts a chat (an interaction of channel chat, linked to a CRM contact), the
// chat flow hook may talk first, then routing queues it; the agent who accepts gets it over the realtime socket;
// both sides append messages (sequence numbers, idempotent client ids), receipts and typing go to the chat topic,
// and either side ends it (the interaction closes; its messages are the transcript).
import type { FlowOutput, PrechatAnswers } from '@kefu/contracts';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { AttachmentsService } from '../../conversations/attachments.service.ts';
import type { InteractionsService } from '../../conversations/interactions.service.ts';
import type { ConversationMessage, MessagesService } from '../../conversations/messages.service.ts';
import type { Actor } from '../../platform/auth/actor.ts';
import { canSeeDivision } from '../../platform/auth/actor.ts';
import type { Database } from '../../platform/db/database.ts';
import { AppError, invalid, notFound } from '../../platform/errors.ts';
import type { RealtimeHub } from '../../realtime/realtime.hub.ts';
import type { ChatFlowHook, TicketIntake } from '../conversation-intake.ts';
import { checkOfflineMessage, leaveMessageTicket } from './offline-message.ts';
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

/** An agent's view of a chat: the assigned agent, or (reading only) a supervisor who may see its division. */
function agentMay(actor: Actor, session: ChatSession | undefined, write: boolean): ChatSession {
  const mine = session && actor.userId !== null && session.agentId === actor.userId;
  const supervises = session && !write && actor.permissions.has('supervisor.console') && canSeeDivision(actor, session.divisionId);
  if (!session || !(mine || supervises)) throw notFound('chat');
  return session;
}

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
      /** Offline messages become tickets through this port (the tickets module); without it they wait as chats. */
      tickets?: () => TicketIntake | undefined;
      /** Whether anyone in the queue is staffed (for `offlineWhenNoAgents`). */
      staffed?: (tenantId: string, queueId: string) => Promise<boolean>;
      /** Transcript by email: whether the tenant can send mail, and the durable job that sends one. */
      transcripts?: { available(tenantId: string): Promise<boolean>; enqueue(tenantId: string, interactionId: string): Promise<void> };
      log?: (err: unknown, what: string) => void;
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

  /** The widget's queue, or the division's first queue that serves chat. */
  async widgetQueue(tenantId: string, widgetId: string, divisionId: string): Promise<string | null> {
    return this.deps.database.withTenant(tenantId, async (tx) => {
      const [row] = (
        await tx.execute<{ id: string }>(sql`
          SELECT coalesce(
            (SELECT queue_id FROM webchat_widgets WHERE tenant_id = ${tenantId} AND id = ${widgetId}),
            (SELECT id FROM routing_queues WHERE tenant_id = ${tenantId} AND division_id = ${divisionId} AND 'chat' = ANY(channels) ORDER BY created_at, id LIMIT 1)
          ) AS id`)
      ).rows;
      return row?.id ?? null;
    });
  }

  /** Live chat or leave-a-message: inside business hours and, when the widget says so, with someone staffed. */
  async online(widget: WidgetWithSecret): Promise<boolean> {
    if (!isOpen(widget.settings.businessHours, this.deps.now?.() ?? new Date())) return false;
    if (!widget.settings.offlineWhenNoAgents || !this.deps.staffed) return true;
    const queueId = await this.widgetQueue(widget.tenantId, widget.id, widget.divisionId);
    if (!queueId) return false;
    return this.deps.staffed(widget.tenantId, queueId).catch(() => true); // routing unreachable: let them try
  }

  async transcriptAvailable(tenantId: string): Promise<boolean> {
    return (await this.deps.transcripts?.available(tenantId).catch(() => false)) ?? false;
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
    const open = await this.online(widget);
    // Offline, the form is the leave-a-message form: name, message, and a way to answer (email or phone).
    if (!open) checkOfflineMessage(input.prechat, input.verified);
    else {
      for (const rule of widget.settings.prechat) {
        if (rule.required && !input.verified && !input.prechat[rule.field]?.trim()) throw invalid(`prechat.${rule.field}`, 'is required');
      }
    }
    const transcriptEmail = open && input.prechat.transcript ? (input.prechat.email?.trim() || input.verified?.email || '') : null;
    if (transcriptEmail !== null && !z.email().safeParse(transcriptEmail).success) throw invalid('prechat.email', 'must be an email address to receive the transcript');
    const contactId = await this.deps.contacts.link(widget.tenantId, widget.divisionId, input.visitorId, name, input.verified);
    const interaction = await this.deps.interactions.open(widget.tenantId, {
      divisionId: widget.divisionId,
      channel: 'chat',
      direction: 'inbound',
      from: `visitor:${input.visitorId}`,
      to: `widget:${widget.id}`,
      externalRef: input.visitorId,
    });
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
      transcriptEmail,
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
    if (session.status === 'offline') return this.leaveMessage(session, 'offline');
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
    const target = queueId ?? (await this.widgetQueue(session.tenantId, session.widgetId, session.divisionId));
    if (!target) {
      await this.deps.sessions.transition(session.tenantId, session.interactionId, ['queued', 'bot'], 'offline');
      return this.leaveMessage({ ...session, status: 'offline' }, 'unanswered');
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

  /** Routing gave up on the task (maximum wait): what the visitor wrote becomes a ticket, like an offline message. */
  async expired(tenantId: string, taskId: string): Promise<void> {
    const session = await this.deps.sessions.byTask(tenantId, taskId);
    if (!session || !(await this.deps.sessions.transition(tenantId, session.interactionId, ['queued'], 'offline'))) return;
    this.publishStatus(session, 'offline', null);
    await this.leaveMessage({ ...session, status: 'offline' }, 'unanswered');
  }

  /**
   * An offline message (or a chat nobody took) becomes a ticket: the visitor is told its number and the chat
   * ends, the conversation staying on the ticket's interaction. Without the tickets module, or when creating the
   * ticket fails, the chat stays as a message waiting for follow-up (session `offline`): the message is never lost.
   */
  async leaveMessage(session: ChatSession, why: 'offline' | 'unanswered'): Promise<ChatSession> {
    const { tenantId, interactionId } = session;
    const intake = this.deps.tickets?.();
    let ticket: { ticketId: string; number: number } | undefined;
    if (intake) {
      try {
        const said = await this.deps.messages.after(tenantId, interactionId, 0, 500);
        ticket = await intake.fromConversation(leaveMessageTicket(session, said, why));
      } catch (err) {
        this.deps.log?.(err, 'offline message → ticket');
      }
    }
    if (!ticket) {
      await this.system(tenantId, interactionId, why === 'offline'
        ? messageText(session.locale, '我们现在不在线，已收到您的留言，会尽快回复您。', 'We are offline now. We have your message and will get back to you.')
        : messageText(session.locale, '暂时没有客服可以接待，已收到您的留言。', 'Nobody can take chats right now. We have your message.'));
      return (await this.deps.sessions.get(tenantId, interactionId)) ?? session;
    }
    await this.deps.sessions.setTicket(tenantId, interactionId, ticket.ticketId);
    await this.system(tenantId, interactionId, messageText(session.locale, `已收到您的留言，工单号 #${ticket.number}，我们会尽快回复您。`, `We have your message: ticket #${ticket.number}. We will get back to you soon.`));
    publishChat(this.deps.hub, tenantId, interactionId, 'chat.ticket', { interactionId, number: ticket.number });
    // The conversation now lives on as the ticket: the chat ends and its interaction closes as a left message.
    if (await this.deps.sessions.transition(tenantId, interactionId, ['offline'], 'ended')) {
      await this.deps.interactions.close(tenantId, interactionId, { hangupBy: 'customer', endReason: 'left_message' });
      this.publishStatus(session, 'ended', null);
    }
    return (await this.deps.sessions.get(tenantId, interactionId)) ?? session;
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
    return agentMay(actor, await this.deps.sessions.get(actor.tenantId, interactionId), write);
  }

  async agentSend(actor: Actor, interactionId: string, input: { clientMessageId: string; text: string; attachmentId?: string | undefined }): Promise<ConversationMessage> {
    // The chat is checked in the message's own transaction: one transaction per message on the hot path, and the
    // chat cannot end between the check and the insert.
    const { message, created } = await this.deps.messages.append(actor.tenantId, interactionId, async (tx) => {
      const session = agentMay(actor, await this.deps.sessions.getIn(tx, actor.tenantId, interactionId), true);
      if (session.status !== 'assigned') throw new AppError('CONFLICT', 'the chat has ended');
      if (!input.text.trim() && !input.attachmentId) throw invalid('text', 'must not be empty');
      return {
        sender: 'agent',
        senderUserId: actor.userId,
        senderName: session.agentName ?? '',
        clientMessageId: input.clientMessageId,
        body: input.text,
        attachmentId: input.attachmentId ?? null,
      };
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
    // Post-contact survey: when the agent ends a chat its flow marked, the visitor is not dropped — the chat goes
    // back to the bot (status bot) for the survey flow, and ends when the survey does (surveyDone).
    const hook = by === 'agent' && session.status === 'assigned' ? this.deps.chatFlow() : undefined;
    const surveyFlowId = hook?.surveyDue && hook.startSurvey
      ? await hook.surveyDue({ tenantId: session.tenantId, interactionId: session.interactionId, taskId: session.taskId, contactId: session.contactId }).catch(() => undefined)
      : undefined;
    if (surveyFlowId) return this.toSurvey(session, surveyFlowId);
    if (!(await this.deps.sessions.transition(session.tenantId, session.interactionId, ['bot', 'queued', 'assigned', 'offline'], 'ended'))) return;
    // A survey the chat was marked for and never reached (the visitor left first) is closed: nothing is asked.
    void this.deps.chatFlow()?.surveySkipped?.({ tenantId: session.tenantId, interactionId: session.interactionId, reason: by === 'customer' ? 'customer_left' : 'not_due' }).catch(() => undefined);
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
    await this.sendTranscriptIfAsked(session.tenantId, session.interactionId);
  }

  /**
   * The agent ended; the visitor answers the survey. The agent's part ends as in `end` (task complete, the
   * interaction's CDR closes: the survey is not talk time), then the survey flow's questions reach the widget.
   */
  private async toSurvey(session: ChatSession, surveyFlowId: string): Promise<void> {
    if (!(await this.deps.sessions.transition(session.tenantId, session.interactionId, ['assigned'], 'bot'))) return;
    if (session.taskId) await this.deps.routing().complete(session.tenantId, session.taskId).catch(() => {});
    await this.system(session.tenantId, session.interactionId, messageText(session.locale, '客服结束了对话。', 'The agent ended the chat.'));
    await this.deps.interactions.close(session.tenantId, session.interactionId, { hangupBy: 'agent', endReason: 'normal' });
    this.publishStatus(session, 'bot', null);
    await this.deps.chatFlow()?.startSurvey?.({ tenantId: session.tenantId, interactionId: session.interactionId, surveyFlowId })
      .catch(() => this.surveyDone(session.tenantId, session.interactionId)); // a broken survey must not leave the chat open
  }

  /** The survey flow ended: so does the chat (the transcript goes out now if the visitor asked for it). */
  async surveyDone(tenantId: string, interactionId: string): Promise<void> {
    const session = await this.deps.sessions.get(tenantId, interactionId);
    if (!session || !(await this.deps.sessions.transition(tenantId, interactionId, ['bot'], 'ended'))) return;
    this.publishStatus(session, 'ended', null);
    await this.sendTranscriptIfAsked(tenantId, interactionId);
  }

  /** The auto-reply after silence (auto-reply.ts decides when), as a system line both sides see. */
  async autoReply(tenantId: string, interactionId: string, text: string): Promise<void> {
    await this.system(tenantId, interactionId, text);
  }

  /** The visitor asks for the transcript: mailed now when the chat has ended, else when it ends. */
  async requestTranscript(session: ChatSession, email: string): Promise<'requested' | 'queued'> {
    if (!(await this.transcriptAvailable(session.tenantId))) throw new AppError('CONFLICT', 'transcripts by email are not available');
    await this.deps.sessions.requestTranscript(session.tenantId, session.interactionId, email);
    const now = await this.deps.sessions.get(session.tenantId, session.interactionId);
    if (now?.status !== 'ended') return 'requested';
    await this.sendTranscriptIfAsked(session.tenantId, session.interactionId);
    return 'queued';
  }

  /** Hands a requested transcript to the durable mail job (once: the job records sent or failed). */
  private async sendTranscriptIfAsked(tenantId: string, interactionId: string): Promise<void> {
    if (!this.deps.transcripts) return;
    try {
      await this.deps.transcripts.enqueue(tenantId, interactionId);
    } catch (err) {
      this.deps.log?.(err, 'transcript job'); // the chat has ended either way
    }
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

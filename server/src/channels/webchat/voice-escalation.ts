// A web chat turned into a voice call, web chat's side (docs/webchat.md, "Voice calls"). Who may call is decided
// here: only the visitor of an accepted chat, only to that chat's agent (the visitor names no destination), only
// when the widget allows it — the agent invites (any setting but `off`), or the visitor starts it (setting
// `agent_and_visitor`) — one call per chat, rate-limited per visitor and per address. The call itself (media
// engine, ringing, recording) is the voice module's, behind the ChatCalls port. Progress goes to the chat topic as
// `chat.call` (the agent's panel and the visitor's sockets on any node) and as system lines in the transcript.
import type { ChatCallState } from '@kefu/contracts';
import { sql } from 'drizzle-orm';
import type { MessagesService } from '../../conversations/messages.service.ts';
import { AppError, conflict } from '../../platform/errors.ts';
import type { Database } from '../../platform/db/database.ts';
import type { Logger } from '../../platform/logger.ts';
import type { RealtimeHub } from '../../realtime/realtime.hub.ts';
import type { ChatCallHandle, ChatCalls } from '../../voice/chat-call-port.ts';
import type { ChatSession, ChatSessions } from './chat-sessions.ts';
import { publishChat } from './chat-topic.ts';
import type { RateLimiter } from './rate-limiter.ts';
import type { WidgetWithSecret, WidgetsService } from './widgets.service.ts';

type By = 'customer' | 'agent' | 'system';

/** An invitation the visitor did not answer lapses (the agent may invite again). */
const INVITATION_LIFETIME = '2 minutes';

const minutes = (ms: number): string => {
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

/** The transcript line for a step of the call, in the chat's language. */
function line(locale: string | null, state: ChatCallState, d: { by?: By; reason?: string; talkMs?: number }): string {
  const en = locale === 'en';
  switch (state) {
    case 'invited':
      return en ? 'The agent invites you to a voice call.' : '客服邀请您进行语音通话。';
    case 'declined':
      return en ? 'The visitor declined the voice call.' : '访客拒绝了语音通话。';
    case 'ringing':
      return en ? 'Voice call: calling the agent…' : '语音通话：正在呼叫客服…';
    case 'connected':
      return en ? 'Voice call connected.' : '语音通话已接通。';
    case 'ended':
      if (d.talkMs) return en ? `Voice call ended (${minutes(d.talkMs)}).` : `语音通话已结束（时长 ${minutes(d.talkMs)}）。`;
      if (d.reason === 'no_answer') return en ? 'The agent could not take the voice call.' : '客服未能接听语音通话。';
      return en ? 'The voice call ended before it was connected.' : '语音通话未接通。';
  }
}

export class VoiceEscalation {
  constructor(
    private readonly d: {
      database: Database;
      hub: RealtimeHub;
      messages: MessagesService;
      sessions: ChatSessions;
      widgets: WidgetsService;
      calls: () => ChatCalls | undefined;
      limits: { perVisitor: RateLimiter; perIp: RateLimiter };
      logger: Logger;
    },
  ) {}

  private port(): ChatCalls {
    const calls = this.d.calls();
    if (!calls) throw new AppError('UNAVAILABLE', 'voice calls are not available on this server');
    return calls;
  }

  /** Opens (or withdraws) the agent's invitation, stored with the chat so that any socket of the visitor sees it. */
  private async setInvitation(session: ChatSession, open: boolean): Promise<void> {
    await this.d.database.withTenant(session.tenantId, (tx) =>
      tx.execute(sql`UPDATE webchat_sessions SET call_invited_at = ${open ? sql`clock_timestamp()` : sql`NULL`}
        WHERE tenant_id = ${session.tenantId} AND interaction_id = ${session.interactionId}`));
  }

  /** Takes the open invitation (at most one call per invitation); false when there is none or it lapsed. */
  private async claimInvitation(session: ChatSession): Promise<boolean> {
    const r = await this.d.database.withTenant(session.tenantId, (tx) =>
      tx.execute(sql`UPDATE webchat_sessions SET call_invited_at = NULL
        WHERE tenant_id = ${session.tenantId} AND interaction_id = ${session.interactionId}
          AND call_invited_at > clock_timestamp() - ${INVITATION_LIFETIME}::interval`));
    return (r.rowCount ?? 0) === 1;
  }

  /** Whether the agent's invitation is open (the widget asks again after a reload). */
  async invited(session: ChatSession): Promise<boolean> {
    const r = await this.d.database.withTenant(session.tenantId, (tx) =>
      tx.execute(sql`SELECT 1 FROM webchat_sessions WHERE tenant_id = ${session.tenantId} AND interaction_id = ${session.interactionId}
        AND call_invited_at > clock_timestamp() - ${INVITATION_LIFETIME}::interval`));
    return r.rows.length === 1;
  }

  /** A step of the call: a line in the transcript and `chat.call` on the chat topic. */
  async progress(session: ChatSession, state: ChatCallState, d: { by?: By; reason?: string; talkMs?: number } = {}): Promise<void> {
    const { message } = await this.d.messages.append(session.tenantId, session.interactionId, { sender: 'system', body: line(session.locale, state, d) });
    publishChat(this.d.hub, session.tenantId, session.interactionId, 'chat.message', message);
    publishChat(this.d.hub, session.tenantId, session.interactionId, 'chat.call', {
      interactionId: session.interactionId, state, ...(d.by ? { by: d.by } : {}), ...(d.reason ? { reason: d.reason } : {}),
    });
  }

  /** The agent invites the visitor (the widget asks the visitor; their accept places the call). */
  async invite(session: ChatSession): Promise<{ state: 'invited' }> {
    if (session.status !== 'assigned' || !session.agentId) throw conflict('only an accepted chat can become a voice call');
    const widget = await this.d.widgets.byPublicId(session.widgetId);
    if (!widget || widget.settings.voiceCall === 'off') throw new AppError('FORBIDDEN', 'voice calls are switched off for this widget');
    const calls = this.port();
    if (calls.live(session.interactionId)) throw conflict('the chat already has a voice call');
    if (!(await calls.canReach(session.tenantId, session.agentId))) throw conflict('switch on your browser phone (or register a phone) to make voice calls');
    await this.setInvitation(session, true);
    await this.progress(session, 'invited', { by: 'agent' });
    return { state: 'invited' };
  }

  /** The agent hangs up from the chat panel: whichever node carries the call ends it. */
  async agentHangup(session: ChatSession): Promise<void> {
    publishChat(this.d.hub, session.tenantId, session.interactionId, 'chat.call.hangup', { interactionId: session.interactionId, by: 'agent' });
    await this.setInvitation(session, false);
    if (await this.d.calls()?.hangup(session.interactionId, 'agent')) return;
    // No call here (an invitation not yet accepted, or a call on another node, which ends on the request above):
    // the widget closes its invitation.
    publishChat(this.d.hub, session.tenantId, session.interactionId, 'chat.call', { interactionId: session.interactionId, state: 'ended', by: 'agent', reason: 'cancelled' });
  }

  /**
   * The visitor's offer: accepting the agent's invitation (`invited`), or starting a call where the widget allows it.
   * `session` is the visitor's own chat read again now; the call can only reach its agent.
   */
  async visitorStart(o: { widget: WidgetWithSecret; session: ChatSession; visitorId: string; ip: string; sdp: string }): Promise<ChatCallHandle> {
    const { session, widget } = o;
    if (!this.d.limits.perVisitor.take(o.visitorId) || !this.d.limits.perIp.take(o.ip)) {
      throw new AppError('RATE_LIMITED', 'too many calls; wait a moment', { retryAfterSeconds: 20 });
    }
    if (session.status !== 'assigned' || !session.agentId) throw conflict('a voice call needs an agent on the chat');
    const setting = widget.settings.voiceCall;
    if (setting === 'off') throw new AppError('FORBIDDEN', 'voice calls are switched off for this widget');
    const calls = this.port();
    if (calls.live(session.interactionId)) throw conflict('the chat already has a voice call');
    const invited = await this.claimInvitation(session);
    if (!invited && setting !== 'agent_and_visitor') throw new AppError('FORBIDDEN', 'the agent has not invited you to a voice call');
    if (!invited && !(await calls.canReach(session.tenantId, session.agentId))) throw conflict('the agent cannot take voice calls now');
    return calls.place({
      tenantId: session.tenantId,
      divisionId: session.divisionId,
      interactionId: session.interactionId,
      agentId: session.agentId,
      callerName: session.visitorName,
      offerSdp: o.sdp,
      autoAnswer: invited,
      onProgress: (state, detail) => {
        void this.progress(session, state, detail).catch((err: unknown) => this.d.logger.warn({ err, interactionId: session.interactionId }, 'webchat: call progress not stored'));
      },
    });
  }

  async visitorDecline(session: ChatSession): Promise<void> {
    if (await this.claimInvitation(session)) await this.progress(session, 'declined', { by: 'customer' });
  }

  /** Whether this node carries a live call of the chat. */
  live(interactionId: string): boolean {
    return this.d.calls()?.live(interactionId) ?? false;
  }

  /** Ends the chat's call if this node carries it (the visitor hung up, left, or the chat ended). */
  hangup(interactionId: string, by: By, reason?: string): Promise<boolean> {
    return this.d.calls()?.hangup(interactionId, by, reason) ?? Promise.resolve(false);
  }
}

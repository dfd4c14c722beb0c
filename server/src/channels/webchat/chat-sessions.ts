// The web chat session of an interaction: which widget and visitor it belongs to, its routing task and agent,
// and what the visitor told before the chat (pre-chat answers, page, referrer).
import { sql } from 'drizzle-orm';
import type { PrechatAnswers } from '@kefu/contracts';
import type { Database, Tx } from '../../platform/db/database.ts';

export type SessionStatus = 'bot' | 'queued' | 'assigned' | 'offline' | 'ended';

export interface ChatSession {
  interactionId: string;
  tenantId: string;
  widgetId: string;
  visitorId: string;
  verifiedUserId: string | null;
  contactId: string | null;
  status: SessionStatus;
  taskId: string | null;
  agentId: string | null;
  agentName: string | null;
  divisionId: string;
  visitorName: string;
  prechat: PrechatAnswers;
  pageUrl: string | null;
  referrer: string | null;
  locale: string | null;
  /** Where the visitor wants the transcript mailed, and how that went (migration 0016). */
  transcriptEmail: string | null;
  transcriptStatus: 'requested' | 'queued' | 'sent' | 'failed' | null;
  /** The last delivery error (while retrying, or why it failed). */
  transcriptError: string | null;
  /** The ticket an offline message became, and its number. */
  ticketId: string | null;
  ticketNumber: number | null;
}

type Row = Record<string, unknown>;
const toSession = (r: Row): ChatSession => ({
  interactionId: r.interaction_id as string,
  tenantId: r.tenant_id as string,
  widgetId: r.widget_id as string,
  visitorId: r.visitor_id as string,
  verifiedUserId: (r.verified_user_id as string | null) ?? null,
  contactId: (r.contact_id as string | null) ?? null,
  status: r.status as SessionStatus,
  taskId: (r.task_id as string | null) ?? null,
  agentId: (r.agent_id as string | null) ?? null,
  agentName: (r.agent_name as string | null) ?? null,
  divisionId: r.division_id as string,
  visitorName: r.visitor_name as string,
  prechat: (r.prechat as PrechatAnswers) ?? {},
  pageUrl: (r.page_url as string | null) ?? null,
  referrer: (r.referrer as string | null) ?? null,
  locale: (r.locale as string | null) ?? null,
  transcriptEmail: (r.transcript_email as string | null) ?? null,
  transcriptStatus: (r.transcript_status as ChatSession['transcriptStatus']) ?? null,
  transcriptError: (r.transcript_error as string | null) ?? null,
  ticketId: (r.ticket_id as string | null) ?? null,
  ticketNumber: r.ticket_number === null || r.ticket_number === undefined ? null : Number(r.ticket_number),
});

const select = sql`SELECT s.*, i.division_id, u.name AS agent_name, t.number AS ticket_number FROM webchat_sessions s
  JOIN interactions i ON i.id = s.interaction_id LEFT JOIN users u ON u.id = s.agent_id LEFT JOIN tickets t ON t.id = s.ticket_id`;

export class ChatSessions {
  constructor(private readonly database: Database) {}

  async create(input: Omit<ChatSession, 'taskId' | 'agentId' | 'agentName' | 'divisionId' | 'transcriptStatus' | 'transcriptError' | 'ticketId' | 'ticketNumber'>): Promise<void> {
    await this.database.withTenant(input.tenantId, (tx) =>
      tx.execute(sql`
        INSERT INTO webchat_sessions (interaction_id, tenant_id, widget_id, visitor_id, verified_user_id, contact_id, status, visitor_name, prechat, page_url, referrer, locale,
                                      transcript_email, transcript_status)
        VALUES (${input.interactionId}, ${input.tenantId}, ${input.widgetId}, ${input.visitorId}, ${input.verifiedUserId}, ${input.contactId}, ${input.status},
                ${input.visitorName}, ${JSON.stringify(input.prechat)}::jsonb, ${input.pageUrl}, ${input.referrer}, ${input.locale},
                ${input.transcriptEmail}, ${input.transcriptEmail ? 'requested' : null})`),
    );
  }

  /** The visitor asks for the transcript (again: the last address wins, and a failed one may be retried). */
  async requestTranscript(tenantId: string, interactionId: string, email: string): Promise<void> {
    await this.database.withTenant(tenantId, (tx) =>
      tx.execute(sql`UPDATE webchat_sessions SET transcript_email = ${email}, transcript_status = 'requested', transcript_error = NULL
        WHERE tenant_id = ${tenantId} AND interaction_id = ${interactionId}`),
    );
  }

  /** Records how the transcript's delivery went (the job's attempts, the last error). */
  async transcriptOutcome(tenantId: string, interactionId: string, status: 'queued' | 'sent' | 'failed', error: string | null): Promise<void> {
    await this.database.withTenant(tenantId, (tx) =>
      tx.execute(sql`UPDATE webchat_sessions SET transcript_status = ${status}, transcript_error = ${error},
          transcript_sent_at = CASE WHEN ${status} = 'sent' THEN clock_timestamp() ELSE transcript_sent_at END
        WHERE tenant_id = ${tenantId} AND interaction_id = ${interactionId}`),
    );
  }

  async setTicket(tenantId: string, interactionId: string, ticketId: string): Promise<void> {
    await this.database.withTenant(tenantId, (tx) => tx.execute(sql`UPDATE webchat_sessions SET ticket_id = ${ticketId} WHERE tenant_id = ${tenantId} AND interaction_id = ${interactionId}`));
  }

  async get(tenantId: string, interactionId: string): Promise<ChatSession | undefined> {
    return this.database.withTenant(tenantId, (tx) => this.getIn(tx, tenantId, interactionId));
  }

  /** `get` inside the caller's transaction (an agent's message checks its chat and is stored in one). */
  async getIn(tx: Tx, tenantId: string, interactionId: string): Promise<ChatSession | undefined> {
    const [row] = (await tx.execute(sql`${select} WHERE s.tenant_id = ${tenantId} AND s.interaction_id = ${interactionId}`)).rows;
    return row ? toSession(row) : undefined;
  }

  /** The visitor's latest chat on this widget (live or ended: the widget shows its history). */
  async latest(tenantId: string, widgetId: string, visitorId: string): Promise<ChatSession | undefined> {
    const [row] = (
      await this.database.withTenant(tenantId, (tx) =>
        tx.execute(sql`${select} WHERE s.tenant_id = ${tenantId} AND s.widget_id = ${widgetId} AND s.visitor_id = ${visitorId} ORDER BY s.created_at DESC LIMIT 1`),
      )
    ).rows;
    return row ? toSession(row) : undefined;
  }

  async byTask(tenantId: string, taskId: string): Promise<ChatSession | undefined> {
    const [row] = (await this.database.withTenant(tenantId, (tx) => tx.execute(sql`${select} WHERE s.tenant_id = ${tenantId} AND s.task_id = ${taskId}`))).rows;
    return row ? toSession(row) : undefined;
  }

  /** Moves a session from one of `from` to `status`; false when it was in another state (someone else moved it). */
  async transition(tenantId: string, interactionId: string, from: SessionStatus[], status: SessionStatus, patch: { taskId?: string; agentId?: string } = {}): Promise<boolean> {
    const result = await this.database.withTenant(tenantId, (tx) =>
      tx.execute(sql`
        UPDATE webchat_sessions SET status = ${status},
          task_id = coalesce(${patch.taskId ?? null}::uuid, task_id), agent_id = coalesce(${patch.agentId ?? null}::uuid, agent_id)
        WHERE tenant_id = ${tenantId} AND interaction_id = ${interactionId}
          AND status IN (SELECT jsonb_array_elements_text(${JSON.stringify(from)}::jsonb))`),
    );
    return (result.rowCount ?? 0) === 1;
  }

  /** The chats an agent holds now (the agent panel after a reload). */
  async ofAgent(tenantId: string, agentId: string): Promise<ChatSession[]> {
    const list = await this.database.withTenant(tenantId, (tx) =>
      tx.execute(sql`${select} WHERE s.tenant_id = ${tenantId} AND s.agent_id = ${agentId} AND s.status = 'assigned' ORDER BY s.created_at`),
    );
    return list.rows.map(toSession);
  }
}

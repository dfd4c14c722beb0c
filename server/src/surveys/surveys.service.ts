// Post-contact surveys: the mark a flow's `survey` node leaves on an interaction (an invitation), the hand-over
// when the agent ends first (claimed once, race-safe), and the answers a survey flow's `survey_answer` nodes store
// — one row per question, with the dimensions reports group by — and put on the contact's CRM timeline.
import { sql } from 'drizzle-orm';
import { recordInteractionOnTimeline } from '../crm/interaction-timeline.ts';
import { addTimelineEntry } from '../crm/timeline.service.ts';
import { canSeeDivision, type Actor } from '../platform/auth/actor.ts';
import type { Database } from '../platform/db/database.ts';
import { iso, one, rows } from '../flows/flows-sql.ts';

export type InvitationStatus = 'pending' | 'not_sampled' | 'started' | 'completed' | 'skipped';

export interface SurveyInvitation {
  id: string;
  interactionId: string;
  surveyFlowId: string;
  flowId: string | null;
  nodeId: string;
  sampleRate: number;
  status: InvitationStatus;
  skipReason: string | null;
  agentId: string | null;
  queueId: string | null;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
}

export interface SurveyAnswer {
  id: string;
  interactionId: string;
  channel: string;
  agentId: string | null;
  queueId: string | null;
  contactId: string | null;
  surveyFlowId: string | null;
  flowVersion: number | null;
  nodeId: string;
  questionKey: string;
  questionText: string;
  score: number | null;
  scaleMin: number | null;
  scaleMax: number | null;
  choice: string | null;
  comment: string | null;
  answeredAt: string;
}

export interface MarkInput {
  interactionId: string;
  surveyFlowId: string;
  flowId: string | null;
  nodeId: string;
  sampleRate: number;
  sampled: boolean;
}

/** What a survey_answer node stores; the rest of an answer (channel, agent, queue, contact) comes from the interaction. */
export type AnswerInput = Pick<SurveyAnswer, 'interactionId' | 'surveyFlowId' | 'flowVersion' | 'nodeId' | 'questionKey' | 'questionText' | 'score' | 'scaleMin' | 'scaleMax' | 'choice' | 'comment'>;

type Row = Record<string, unknown>;
const uuidLike = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

const toInvitation = (r: Row): SurveyInvitation => ({
  id: r.id as string,
  interactionId: r.interaction_id as string,
  surveyFlowId: r.survey_flow_id as string,
  flowId: (r.flow_id as string | null) ?? null,
  nodeId: r.node_id as string,
  sampleRate: Number(r.sample_rate),
  status: r.status as InvitationStatus,
  skipReason: (r.skip_reason as string | null) ?? null,
  agentId: (r.agent_id as string | null) ?? null,
  queueId: (r.queue_id as string | null) ?? null,
  createdAt: iso(r.created_at as string)!,
  startedAt: iso(r.started_at as string | null),
  completedAt: iso(r.completed_at as string | null),
});

const toAnswer = (r: Row): SurveyAnswer => ({
  id: r.id as string,
  interactionId: r.interaction_id as string,
  channel: r.channel as string,
  agentId: (r.agent_id as string | null) ?? null,
  queueId: (r.queue_id as string | null) ?? null,
  contactId: (r.contact_id as string | null) ?? null,
  surveyFlowId: (r.survey_flow_id as string | null) ?? null,
  flowVersion: num(r.flow_version),
  nodeId: r.node_id as string,
  questionKey: r.question_key as string,
  questionText: r.question_text as string,
  score: num(r.score),
  scaleMin: num(r.scale_min),
  scaleMax: num(r.scale_max),
  choice: (r.choice as string | null) ?? null,
  comment: (r.comment as string | null) ?? null,
  answeredAt: iso(r.answered_at as string)!,
});

export class SurveysService {
  constructor(private readonly database: Database) {}

  /**
   * The survey node passed: the interaction is marked (sampled or not). A later survey node (after a transfer to
   * another flow) replaces a mark that has not been acted on yet.
   */
  async mark(tenantId: string, m: MarkInput): Promise<void> {
    await this.database.withTenant(tenantId, (tx) =>
      tx.execute(sql`
        INSERT INTO survey_invitations (tenant_id, interaction_id, division_id, channel, survey_flow_id, flow_id, node_id, sample_rate, status)
        SELECT i.tenant_id, i.id, i.division_id, i.channel, ${m.surveyFlowId}, ${m.flowId && uuidLike.test(m.flowId) ? m.flowId : null}::uuid, ${m.nodeId}, ${m.sampleRate},
               ${m.sampled ? 'pending' : 'not_sampled'}
        FROM interactions i WHERE i.tenant_id = ${tenantId} AND i.id = ${m.interactionId}
        ON CONFLICT (tenant_id, interaction_id) DO UPDATE SET
          survey_flow_id = EXCLUDED.survey_flow_id, flow_id = EXCLUDED.flow_id, node_id = EXCLUDED.node_id,
          sample_rate = EXCLUDED.sample_rate, status = EXCLUDED.status, created_at = clock_timestamp()
        WHERE survey_invitations.status IN ('pending', 'not_sampled')`),
    );
  }

  /**
   * The agent ended the conversation: the pending survey of the interaction is started exactly once (two nodes or a
   * retried hang-up cannot start it twice) and its survey flow returned. Agent and queue are filled in here: the
   * agent from the interaction, the queue from the routing task that brought the customer.
   */
  async claim(tenantId: string, interactionId: string, o: { taskId?: string | null | undefined; contactId?: string | null | undefined } = {}): Promise<{ invitationId: string; surveyFlowId: string } | undefined> {
    const taskId = o.taskId && uuidLike.test(o.taskId) ? o.taskId : null;
    const row = await this.database.withTenant(tenantId, (tx) =>
      one<{ id: string; survey_flow_id: string }>(tx, sql`
        UPDATE survey_invitations v SET status = 'started', started_at = clock_timestamp(),
          agent_id = (SELECT agent_id FROM interactions WHERE tenant_id = ${tenantId} AND id = ${interactionId}),
          queue_id = coalesce((SELECT queue_id FROM routing_tasks WHERE tenant_id = ${tenantId} AND id = ${taskId}::uuid), v.queue_id),
          contact_id = coalesce(${o.contactId && uuidLike.test(o.contactId) ? o.contactId : null}::uuid, v.contact_id)
        WHERE v.tenant_id = ${tenantId} AND v.interaction_id = ${interactionId} AND v.status = 'pending'
        RETURNING v.id, v.survey_flow_id`),
    );
    return row ? { invitationId: row.id, surveyFlowId: row.survey_flow_id } : undefined;
  }

  /** The conversation ended without a hand-over (the customer left first, nobody answered): nothing is asked. */
  async skip(tenantId: string, interactionId: string, reason: string): Promise<void> {
    await this.database.withTenant(tenantId, (tx) =>
      tx.execute(sql`UPDATE survey_invitations SET status = 'skipped', skip_reason = ${reason}
        WHERE tenant_id = ${tenantId} AND interaction_id = ${interactionId} AND status = 'pending'`),
    );
  }

  /** The survey flow ended (answered, or the customer left half-way: the answers given are kept). */
  async complete(tenantId: string, interactionId: string): Promise<void> {
    await this.database.withTenant(tenantId, (tx) =>
      tx.execute(sql`UPDATE survey_invitations SET status = 'completed', completed_at = clock_timestamp()
        WHERE tenant_id = ${tenantId} AND interaction_id = ${interactionId} AND status = 'started'`),
    );
  }

  /**
   * Stores one answer (replacing an earlier answer to the same question of the interaction) with the dimensions of
   * the interaction and its invitation, and adds it to the contact's timeline.
   */
  async answer(tenantId: string, a: AnswerInput): Promise<SurveyAnswer | undefined> {
    const state = await this.database.withTenant(tenantId, (tx) =>
      one<{ state: string; contact_id: string | null }>(tx, sql`SELECT state, contact_id FROM interactions WHERE tenant_id = ${tenantId} AND id = ${a.interactionId}`),
    );
    if (!state) return undefined;
    // An ended call is linked to its contact by the CRM when it reaches the timeline; the survey may run first.
    if (state.state === 'ended' && !state.contact_id) await recordInteractionOnTimeline(this.database, tenantId, a.interactionId).catch(() => null);
    return this.database.withTenant(tenantId, async (tx) => {
      const row = await one<Row>(tx, sql`
        INSERT INTO survey_answers (tenant_id, interaction_id, invitation_id, division_id, channel, agent_id, queue_id, contact_id, survey_flow_id,
          flow_version, node_id, question_key, question_text, score, scale_min, scale_max, choice, comment)
        SELECT i.tenant_id, i.id, v.id, i.division_id, i.channel, coalesce(v.agent_id, i.agent_id), v.queue_id, coalesce(i.contact_id, v.contact_id),
          ${a.surveyFlowId && uuidLike.test(a.surveyFlowId) ? a.surveyFlowId : null}::uuid, ${a.flowVersion}, ${a.nodeId}, ${a.questionKey}, ${a.questionText},
          ${a.score}, ${a.score === null ? null : a.scaleMin}, ${a.score === null ? null : a.scaleMax}, ${a.choice}, ${a.comment}
        FROM interactions i LEFT JOIN survey_invitations v ON v.tenant_id = i.tenant_id AND v.interaction_id = i.id
        WHERE i.tenant_id = ${tenantId} AND i.id = ${a.interactionId}
        ON CONFLICT (tenant_id, interaction_id, question_key) DO UPDATE SET
          score = EXCLUDED.score, scale_min = EXCLUDED.scale_min, scale_max = EXCLUDED.scale_max, choice = EXCLUDED.choice,
          comment = EXCLUDED.comment, question_text = EXCLUDED.question_text, node_id = EXCLUDED.node_id, answered_at = clock_timestamp()
        RETURNING *`);
      if (!row) return undefined;
      const answer = toAnswer(row);
      if (answer.contactId) {
        const value = answer.score !== null ? `${answer.score}/${answer.scaleMax}` : (answer.choice ?? '');
        await addTimelineEntry(tx, tenantId, {
          contactId: answer.contactId,
          kind: 'survey_answer',
          source: { type: 'survey_answer', id: answer.id },
          actorId: answer.agentId,
          summary: `${answer.channel} survey · ${answer.questionText || answer.questionKey}: ${value}${answer.comment ? ` · ${answer.comment}` : ''}`,
          data: {
            interactionId: answer.interactionId, questionKey: answer.questionKey, score: answer.score, scaleMin: answer.scaleMin, scaleMax: answer.scaleMax,
            choice: answer.choice, comment: answer.comment, channel: answer.channel, agentId: answer.agentId, queueId: answer.queueId,
          },
        });
      }
      return answer;
    });
  }

  /** The invitation and answers of an interaction (the caller has checked that the interaction is visible). */
  async ofInteraction(tenantId: string, interactionId: string): Promise<{ invitation: SurveyInvitation | null; answers: SurveyAnswer[] }> {
    return this.database.withTenant(tenantId, async (tx) => {
      const invitation = await one<Row>(tx, sql`SELECT * FROM survey_invitations WHERE tenant_id = ${tenantId} AND interaction_id = ${interactionId}`);
      const answers = await rows<Row>(tx, sql`SELECT * FROM survey_answers WHERE tenant_id = ${tenantId} AND interaction_id = ${interactionId} ORDER BY answered_at, id`);
      return { invitation: invitation ? toInvitation(invitation) : null, answers: answers.map(toAnswer) };
    });
  }

  /** Answers across interactions, newest first, in the divisions the reader may see (reports, later aggregation). */
  async list(actor: Actor, q: { questionKey?: string | undefined; agentId?: string | undefined; queueId?: string | undefined; from?: string | undefined; to?: string | undefined; limit: number }): Promise<SurveyAnswer[]> {
    const divisions = actor.divisions === 'all' ? null : JSON.stringify(actor.divisions);
    const list = await this.database.withTenant(actor.tenantId, (tx) =>
      rows<Row>(tx, sql`
        SELECT * FROM survey_answers
        WHERE tenant_id = ${actor.tenantId}
          AND (${divisions}::jsonb IS NULL OR division_id::text IN (SELECT jsonb_array_elements_text(${divisions}::jsonb)))
          AND (${q.questionKey ?? null}::text IS NULL OR question_key = ${q.questionKey ?? null})
          AND (${q.agentId ?? null}::uuid IS NULL OR agent_id = ${q.agentId ?? null}::uuid)
          AND (${q.queueId ?? null}::uuid IS NULL OR queue_id = ${q.queueId ?? null}::uuid)
          AND (${q.from ?? null}::timestamptz IS NULL OR answered_at >= ${q.from ?? null}::timestamptz)
          AND (${q.to ?? null}::timestamptz IS NULL OR answered_at < ${q.to ?? null}::timestamptz)
        ORDER BY answered_at DESC, id DESC
        LIMIT ${q.limit}`),
    );
    return list.filter((r) => canSeeDivision(actor, r.division_id as string)).map(toAnswer);
  }
}

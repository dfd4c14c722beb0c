// Interactions: one customer contact on any channel, with the CDR fields a channel fills as the contact moves
// (arrival, queue, offer, answer, end). Channels (voice first) open and close them on the system path; people read
// them through the API, scoped to their divisions.
import { sql, type SQL } from 'drizzle-orm';
import { canSeeDivision, type Actor } from '../platform/auth/actor.ts';
import type { Database, Tx } from '../platform/db/database.ts';
import { appendEvent } from '../platform/events/outbox.ts';
import { notFound } from '../platform/errors.ts';
import { decodeCursor, encodeCursor } from '../platform/http/pagination.ts';

export type Channel = 'voice' | 'chat' | 'email' | 'ticket' | 'social';
export type HangupBy = 'customer' | 'agent' | 'system';
export type SegmentKind = 'flow' | 'queue' | 'ringing' | 'agent' | 'hold' | 'voicemail' | 'voice_call';

export interface Segment {
  id: string;
  kind: SegmentKind;
  userId: string | null;
  endpoint: string | null;
  startedAt: string;
  endedAt: string | null;
  outcome: string | null;
}

export interface Interaction {
  id: string;
  divisionId: string;
  channel: Channel;
  direction: 'inbound' | 'outbound' | 'internal';
  state: 'live' | 'ended';
  from: string;
  to: string;
  externalRef: string | null;
  agentId: string | null;
  arrivedAt: string;
  flowEndedAt: string | null;
  queuedAt: string | null;
  offeredAt: string | null;
  answeredAt: string | null;
  endedAt: string | null;
  ringMs: number | null;
  talkMs: number | null;
  holdMs: number;
  hangupBy: HangupBy | null;
  sipCause: number | null;
  endReason: string | null;
  quality: { jitterMs: number | null; lossPct: number | null; mos: number | null };
  segments?: Segment[];
}

export interface OpenInput {
  divisionId: string;
  channel: Channel;
  direction: Interaction['direction'];
  from: string;
  to: string;
  externalRef?: string;
}

/** The CDR fields a channel may set while the interaction lives. */
export interface CdrPatch {
  flowEndedAt?: Date;
  queuedAt?: Date;
  offeredAt?: Date;
  answeredAt?: Date;
  agentId?: string | null;
  holdMs?: number;
}

export interface CloseInput {
  endedAt?: Date;
  hangupBy: HangupBy;
  sipCause?: number | null;
  endReason: string;
  quality?: { jitterMs?: number | null; lossPct?: number | null; mos?: number | null };
}

type Row = Record<string, unknown>;
const iso = (v: unknown): string | null => (v === null || v === undefined ? null : new Date(v as string).toISOString());
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

function toInteraction(r: Row): Interaction {
  return {
    id: r.id as string,
    divisionId: r.division_id as string,
    channel: r.channel as Channel,
    direction: r.direction as Interaction['direction'],
    state: r.state as Interaction['state'],
    from: r.from_address as string,
    to: r.to_address as string,
    externalRef: (r.external_ref as string | null) ?? null,
    agentId: (r.agent_id as string | null) ?? null,
    arrivedAt: iso(r.arrived_at)!,
    flowEndedAt: iso(r.flow_ended_at),
    queuedAt: iso(r.queued_at),
    offeredAt: iso(r.offered_at),
    answeredAt: iso(r.answered_at),
    endedAt: iso(r.ended_at),
    ringMs: num(r.ring_ms),
    talkMs: num(r.talk_ms),
    holdMs: Number(r.hold_ms ?? 0),
    hangupBy: (r.hangup_by as HangupBy | null) ?? null,
    sipCause: num(r.sip_cause),
    endReason: (r.end_reason as string | null) ?? null,
    quality: { jitterMs: num(r.quality_jitter_ms), lossPct: num(r.quality_loss_pct), mos: num(r.quality_mos) },
  };
}

const toSegment = (r: Row): Segment => ({
  id: r.id as string,
  kind: r.kind as SegmentKind,
  userId: (r.user_id as string | null) ?? null,
  endpoint: (r.endpoint as string | null) ?? null,
  startedAt: iso(r.started_at)!,
  endedAt: iso(r.ended_at),
  outcome: (r.outcome as string | null) ?? null,
});

async function rows(tx: Tx, q: SQL): Promise<Row[]> {
  return (await tx.execute(q)).rows as Row[];
}

export class InteractionsService {
  constructor(private readonly database: Database) {}

  /** Opens a live interaction (channels call this when a contact arrives). */
  async open(tenantId: string, input: OpenInput): Promise<Interaction> {
    return this.database.withTenant(tenantId, async (tx) => {
      const [row] = await rows(tx, sql`
        INSERT INTO interactions (tenant_id, division_id, channel, direction, from_address, to_address, external_ref)
        VALUES (${tenantId}, ${input.divisionId}, ${input.channel}, ${input.direction}, ${input.from}, ${input.to}, ${input.externalRef ?? null})
        RETURNING *`);
      const interaction = toInteraction(row!);
      await appendEvent(tx, tenantId, 'interaction.created', {
        interactionId: interaction.id, divisionId: interaction.divisionId, channel: interaction.channel, direction: interaction.direction,
      });
      return interaction;
    });
  }

  async update(tenantId: string, id: string, patch: CdrPatch): Promise<void> {
    await this.database.withTenant(tenantId, (tx) =>
      tx.execute(sql`
        UPDATE interactions SET
          flow_ended_at = coalesce(${patch.flowEndedAt ?? null}::timestamptz, flow_ended_at),
          queued_at = coalesce(${patch.queuedAt ?? null}::timestamptz, queued_at),
          offered_at = coalesce(${patch.offeredAt ?? null}::timestamptz, offered_at),
          answered_at = coalesce(${patch.answeredAt ?? null}::timestamptz, answered_at),
          agent_id = CASE WHEN ${patch.agentId !== undefined} THEN ${patch.agentId ?? null}::uuid ELSE agent_id END,
          hold_ms = coalesce(${patch.holdMs ?? null}::integer, hold_ms)
        WHERE tenant_id = ${tenantId} AND id = ${id}`),
    );
  }

  /** Starts a segment and ends the open one (if any). */
  async segment(tenantId: string, interactionId: string, kind: SegmentKind, o: { userId?: string | null; endpoint?: string; outcome?: string } = {}): Promise<void> {
    await this.database.withTenant(tenantId, async (tx) => {
      await tx.execute(sql`UPDATE interaction_segments SET ended_at = clock_timestamp(), outcome = coalesce(outcome, ${o.outcome ?? null})
        WHERE tenant_id = ${tenantId} AND interaction_id = ${interactionId} AND ended_at IS NULL`);
      await tx.execute(sql`INSERT INTO interaction_segments (tenant_id, interaction_id, kind, user_id, endpoint)
        VALUES (${tenantId}, ${interactionId}, ${kind}, ${o.userId ?? null}, ${o.endpoint ?? null})`);
    });
  }

  /**
   * Ends the open segment of `kind` (a chat's voice call) and, while the interaction is still live, opens `then`
   * (the chat goes on with its agent). After the interaction closed nothing new is opened.
   */
  async endSegment(tenantId: string, interactionId: string, kind: SegmentKind, outcome: string, then?: { kind: SegmentKind; userId?: string | null }): Promise<void> {
    await this.database.withTenant(tenantId, async (tx) => {
      const ended = await tx.execute(sql`UPDATE interaction_segments SET ended_at = clock_timestamp(), outcome = coalesce(outcome, ${outcome})
        WHERE tenant_id = ${tenantId} AND interaction_id = ${interactionId} AND kind = ${kind} AND ended_at IS NULL`);
      if (!then || !ended.rowCount) return;
      await tx.execute(sql`INSERT INTO interaction_segments (tenant_id, interaction_id, kind, user_id)
        SELECT ${tenantId}, ${interactionId}, ${then.kind}, ${then.userId ?? null}::uuid
        WHERE EXISTS (SELECT 1 FROM interactions WHERE tenant_id = ${tenantId} AND id = ${interactionId} AND state = 'live')
          AND NOT EXISTS (SELECT 1 FROM interaction_segments WHERE tenant_id = ${tenantId} AND interaction_id = ${interactionId} AND ended_at IS NULL)`);
    });
  }

  /**
   * Ends a live interaction and derives the durations: ring = offer → answer (or → end when nobody answered),
   * talk = answer → end. Ending an ended interaction changes nothing.
   */
  async close(tenantId: string, id: string, input: CloseInput): Promise<Interaction | undefined> {
    return this.database.withTenant(tenantId, async (tx) => {
      const [row] = await rows(tx, sql`
        WITH t AS (SELECT coalesce(${input.endedAt ?? null}::timestamptz, clock_timestamp()) AS at)
        UPDATE interactions SET
          state = 'ended',
          ended_at = t.at,
          ring_ms = CASE WHEN offered_at IS NULL THEN NULL
                         ELSE (extract(epoch FROM (coalesce(answered_at, t.at) - offered_at)) * 1000)::integer END,
          talk_ms = CASE WHEN answered_at IS NULL THEN NULL ELSE (extract(epoch FROM (t.at - answered_at)) * 1000)::integer END,
          hangup_by = ${input.hangupBy},
          sip_cause = ${input.sipCause ?? null},
          end_reason = ${input.endReason},
          quality_jitter_ms = ${input.quality?.jitterMs ?? null},
          quality_loss_pct = ${input.quality?.lossPct ?? null},
          quality_mos = ${input.quality?.mos ?? null}
        FROM t
        WHERE tenant_id = ${tenantId} AND id = ${id} AND state = 'live'
        RETURNING interactions.*`);
      if (!row) return undefined;
      await tx.execute(sql`UPDATE interaction_segments SET ended_at = ${iso(row.ended_at)}::timestamptz, outcome = coalesce(outcome, ${input.endReason})
        WHERE tenant_id = ${tenantId} AND interaction_id = ${id} AND ended_at IS NULL`);
      const interaction = toInteraction(row);
      await appendEvent(tx, tenantId, 'interaction.ended', {
        interactionId: id, divisionId: interaction.divisionId, channel: interaction.channel,
        hangupBy: input.hangupBy, endReason: input.endReason, talkMs: interaction.talkMs,
      });
      return interaction;
    });
  }

  /**
   * Crash safety (system path): closes every interaction of a channel that was live when the process died,
   * with the given reason. Returns the closed ids with their tenants.
   */
  async closeAllLive(channel: Channel, endReason: string): Promise<{ id: string; tenantId: string }[]> {
    const live = await this.database.withSystem(async (tx) =>
      rows(tx, sql`SELECT id, tenant_id FROM interactions WHERE state = 'live' AND channel = ${channel}`),
    );
    const closed: { id: string; tenantId: string }[] = [];
    for (const r of live) {
      const tenantId = r.tenant_id as string;
      if (await this.close(tenantId, r.id as string, { hangupBy: 'system', endReason, sipCause: null })) closed.push({ id: r.id as string, tenantId });
    }
    return closed;
  }

  async get(actor: Actor, id: string): Promise<Interaction> {
    return this.database.withTenant(actor.tenantId, async (tx) => {
      const [row] = await rows(tx, sql`SELECT * FROM interactions WHERE tenant_id = ${actor.tenantId} AND id = ${id}`);
      if (!row || !canSeeDivision(actor, row.division_id as string)) throw notFound('interaction');
      const segments = await rows(tx, sql`SELECT * FROM interaction_segments WHERE tenant_id = ${actor.tenantId} AND interaction_id = ${id} ORDER BY started_at, id`);
      return { ...toInteraction(row), segments: segments.map(toSegment) };
    });
  }

  async list(actor: Actor, q: { limit: number; cursor?: string | undefined; channel?: Channel | undefined; state?: 'live' | 'ended' | undefined }): Promise<{ items: Interaction[]; nextCursor: string | null }> {
    const cursor = decodeCursor(q.cursor);
    const divisions = actor.divisions === 'all' ? null : JSON.stringify(actor.divisions);
    const list = await this.database.withTenant(actor.tenantId, (tx) =>
      rows(tx, sql`
        SELECT * FROM interactions
        WHERE tenant_id = ${actor.tenantId}
          AND (${divisions}::jsonb IS NULL OR division_id::text IN (SELECT jsonb_array_elements_text(${divisions}::jsonb)))
          AND (${q.channel ?? null}::text IS NULL OR channel = ${q.channel ?? null})
          AND (${q.state ?? null}::text IS NULL OR state = ${q.state ?? null})
          AND (${cursor?.at ?? null}::timestamptz IS NULL OR (arrived_at, id) < (${cursor?.at ?? null}::timestamptz, ${cursor?.id ?? null}::uuid))
        ORDER BY arrived_at DESC, id DESC
        LIMIT ${q.limit + 1}`),
    );
    const items = list.slice(0, q.limit).map(toInteraction);
    const last = items[items.length - 1];
    return { items, nextCursor: list.length > q.limit && last ? encodeCursor({ at: last.arrivedAt, id: last.id }) : null };
  }
}

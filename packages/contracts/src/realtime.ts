// Messages on the realtime WebSocket (GET /api/v1/realtime): the agent desktop and the supervisor console
// talk to Kefu over it. Every client request carries an `id`; the server answers it with a `reply` carrying
// the same id (correlation). Pushes from the server are `event` messages, either to one user (an offer) or
// to the subscribers of a topic (`queue-stats:<queueId>`).
import { z } from 'zod';

const correlationId = z.string().min(1).max(64);
/** A topic is `<kind>:<argument>`, e.g. `queue-stats:6f1c…` or `agent-stats:*`. */
export const realtimeTopic = z.string().regex(/^[a-z][a-z0-9-]{0,39}:[A-Za-z0-9*_-]{1,64}$/, 'must look like kind:argument');

export const clientMessage = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ping'), id: correlationId }),
  z.strictObject({ type: z.literal('subscribe'), id: correlationId, topic: realtimeTopic }),
  z.strictObject({ type: z.literal('unsubscribe'), id: correlationId, topic: realtimeTopic }),
  /** A call of a method that a module registered on the hub (e.g. `offer.accept`). */
  z.strictObject({ type: z.literal('request'), id: correlationId, method: z.string().min(1).max(64), params: z.unknown().optional() }),
]);
export type ClientMessage = z.infer<typeof clientMessage>;

export const realtimeErrorBody = z.object({ code: z.string(), message: z.string() });

export const serverMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('hello'), userId: z.string().nullable(), tenantId: z.string(), heartbeatMs: z.number().int() }),
  z.object({ type: z.literal('pong'), id: correlationId }),
  z.object({ type: z.literal('reply'), id: correlationId, ok: z.boolean(), result: z.unknown().optional(), error: realtimeErrorBody.optional() }),
  z.object({ type: z.literal('event'), name: z.string(), topic: z.string().optional(), data: z.unknown() }),
]);
export type ServerMessage = z.infer<typeof serverMessage>;

// The payloads of the events that the router pushes (the `name` of an `event` message).

export const taskChannel = z.enum(['voice', 'chat', 'email', 'callback', 'ticket', 'sms', 'wechat', 'video']);
export type TaskChannel = z.infer<typeof taskChannel>;

/** `offer`: a task offered to this agent; answer with request `offer.accept` / `offer.reject` { offerId }. */
export const offerEvent = z.object({
  offerId: z.string(),
  taskId: z.string(),
  queueId: z.string(),
  queueName: z.string(),
  channel: taskChannel,
  /** Epoch milliseconds after which the offer is withdrawn and the agent is `missed`. */
  expiresAt: z.number(),
  attributes: z.record(z.string(), z.unknown()),
  contactId: z.string().nullable(),
});
export type OfferEvent = z.infer<typeof offerEvent>;

/** `offer.revoked`: another agent took it (ring-all), the customer hung up, the offer timed out, or the agent went away. */
export const offerRevokedEvent = z.object({ offerId: z.string(), taskId: z.string(), reason: z.enum(['taken', 'cancelled', 'timeout', 'rejected', 'disconnected']) });

export const agentStateName = z.enum(['offline', 'available', 'away', 'busy', 'acw', 'missed']);
export type AgentStateName = z.infer<typeof agentStateName>;

/** `agent.state`: the agent's own state changed (also pushed to `agent-stats:*` subscribers). */
export const agentStateEvent = z.object({
  userId: z.string(),
  state: agentStateName,
  reason: z.string().nullable(),
  since: z.string(),
  acwEndsAt: z.string().nullable(),
});

/** `queue.stats`: pushed every second to `queue-stats:<queueId>` subscribers. */
export const queueStatsEvent = z.object({
  queueId: z.string(),
  at: z.string(),
  waiting: z.number().int(),
  longestWaitSeconds: z.number(),
  offeredToday: z.number().int(),
  answeredToday: z.number().int(),
  abandonedToday: z.number().int(),
  answeredWithinTargetToday: z.number().int(),
  serviceLevelToday: z.number().nullable(),
  averageHandleSeconds: z.number().nullable(),
  estimatedWaitSeconds: z.number().nullable(),
  agentsByState: z.record(agentStateName, z.number().int()),
});
export type QueueStatsEvent = z.infer<typeof queueStatsEvent>;

/**
 * `agent.stats`: one agent's live figures, pushed every second to `agent-stats:<userId>` (the agent, or a
 * supervisor of one of the agent's queues) and, for every member of a queue, to `queue-agents:<queueId>`.
 */
export const agentStatsEvent = z.object({
  userId: z.string(),
  at: z.string(),
  state: agentStateName,
  /** The away reason's name, when away. */
  reason: z.string().nullable(),
  since: z.string(),
  secondsInState: z.number(),
  acwEndsAt: z.string().nullable(),
  /** Tasks in hand, oldest first. */
  work: z.array(z.object({ taskId: z.string(), queueId: z.string(), channel: taskChannel, sinceSeconds: z.number() })),
  offersOpen: z.number().int(),
  today: z.object({
    answered: z.number().int(),
    handled: z.number().int(),
    missed: z.number().int(),
    rejected: z.number().int(),
    averageHandleSeconds: z.number().nullable(),
  }),
});
export type AgentStatsEvent = z.infer<typeof agentStatsEvent>;
/** `queue.agents`: the members of a queue with their live figures (`queue-agents:<queueId>`). */
export const queueAgentsEvent = z.object({ queueId: z.string(), at: z.string(), agents: z.array(agentStatsEvent) });
export type QueueAgentsEvent = z.infer<typeof queueAgentsEvent>;

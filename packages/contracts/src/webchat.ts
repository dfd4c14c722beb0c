// The web chat widget's WebSocket (GET /api/v1/webchat/socket?widget=<id>) and the chat events agents receive on
// the realtime WebSocket. Visitors resume after a reconnect with `hello.lastSeq` (the highest message sequence
// number they hold): the server replays every later message once, in order, then streams new ones.
import { z } from 'zod';

const clientMessageId = z.string().min(1).max(64);
const text = z.string().max(4000);

export const prechatAnswers = z.strictObject({
  name: z.string().trim().max(120).optional(),
  email: z.string().trim().max(254).optional(),
  phone: z.string().trim().max(40).optional(),
  question: z.string().trim().max(2000).optional(),
  /** Where the chat was opened from (e.g. the help-center article that did not help), shown to the agent. */
  context: z.record(z.string().max(40), z.string().max(500)).optional(),
  /** The visitor wants the transcript mailed to `email` when the chat ends (offered when the tenant has email set up). */
  transcript: z.boolean().optional(),
});
export type PrechatAnswers = z.infer<typeof prechatAnswers>;

/** A verified identity: `payload` is base64url(JSON {userId, name?, email?, phone?}), `signature` its hex HMAC-SHA256. */
export const signedIdentity = z.strictObject({ payload: z.string().min(1).max(4000), signature: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 hex digits') });

export const visitorClientMessage = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('hello'),
    /** The signed visitor token from an earlier welcome (kept by the widget), or null for a new visitor. */
    token: z.string().max(300).nullable(),
    identity: signedIdentity.nullable().optional(),
    /** The origin of the page that embeds the widget (the iframe reads it from its ancestors). */
    hostOrigin: z.string().max(300),
    lastSeq: z.number().int().min(0),
    page: z.string().max(2000).optional(),
    referrer: z.string().max(2000).optional(),
    locale: z.enum(['zh-CN', 'en']).optional(),
  }),
  z.strictObject({ type: z.literal('start'), prechat: prechatAnswers, clientMessageId: clientMessageId.optional() }),
  z.strictObject({ type: z.literal('send'), clientMessageId, text, attachmentId: z.uuid().optional() }),
  z.strictObject({ type: z.literal('ack'), seq: z.number().int().min(0) }),
  z.strictObject({ type: z.literal('read'), seq: z.number().int().min(0) }),
  z.strictObject({ type: z.literal('typing'), on: z.boolean() }),
  z.strictObject({ type: z.literal('end') }),
  z.strictObject({ type: z.literal('ping') }),
  /** Mail me the transcript of this chat (now when it has ended, else when it ends). */
  z.strictObject({ type: z.literal('transcript'), email: z.email({ message: 'must be an email address' }).max(254) }),
  // Voice escalation (docs/webchat.md): the visitor's WebRTC offer (accepting the agent's invitation, or starting
  // a call where the widget allows it), declining the invitation, hanging up. The call always goes to the chat's agent.
  z.strictObject({ type: z.literal('call.start'), sdp: z.string().min(10).max(20_000) }),
  z.strictObject({ type: z.literal('call.decline') }),
  z.strictObject({ type: z.literal('call.hangup') }),
]);
export type VisitorClientMessage = z.infer<typeof visitorClientMessage>;

export const chatAttachment = z.object({
  id: z.string(),
  fileName: z.string(),
  contentType: z.string(),
  size: z.number(),
  imageWidth: z.number().nullable(),
  imageHeight: z.number().nullable(),
});

export const chatMessage = z.object({
  id: z.string(),
  interactionId: z.string(),
  seq: z.number().int(),
  sender: z.enum(['customer', 'agent', 'bot', 'system']),
  senderName: z.string(),
  clientMessageId: z.string().nullable(),
  body: z.string(),
  attachment: chatAttachment.nullable(),
  createdAt: z.string(),
  deliveredAt: z.string().nullable(),
  readAt: z.string().nullable(),
  /** A chat flow's choices, on the live event of a bot message (the stored body lists them as text). */
  buttons: z.array(z.object({ id: z.string(), label: z.string() })).optional(),
});
export type ChatMessage = z.infer<typeof chatMessage>;

export const chatStatus = z.enum(['none', 'bot', 'queued', 'assigned', 'offline', 'ended']);
export type ChatStatus = z.infer<typeof chatStatus>;

export const widgetAppearance = z.object({
  color: z.string(),
  position: z.enum(['right', 'left']),
  title: z.record(z.string(), z.string()),
  greeting: z.record(z.string(), z.string()),
  languages: z.array(z.enum(['zh-CN', 'en'])),
  prechat: z.array(z.object({ field: z.enum(['name', 'email', 'phone', 'question']), required: z.boolean() })),
  online: z.boolean(),
  /** Whether the tenant can send the transcript by email (outbound email is set up). */
  transcript: z.boolean().optional(),
  /** Who may turn the chat into a voice call: nobody, the agent only, or the agent and the visitor. */
  voiceCall: z.enum(['off', 'agent', 'agent_and_visitor']).optional(),
});
export type WidgetAppearance = z.infer<typeof widgetAppearance>;

export type VisitorServerMessage =
  | { type: 'welcome'; visitorId: string; token: string; verified: boolean; widget: WidgetAppearance; conversation: { interactionId: string; status: ChatStatus; agentName: string | null; ticketNumber?: number | null } | null }
  | { type: 'message'; message: ChatMessage }
  | { type: 'sent'; clientMessageId: string; seq: number }
  | { type: 'receipt'; by: 'agent' | 'customer'; kind: 'delivered' | 'read'; seq: number }
  | { type: 'typing'; by: 'agent'; on: boolean }
  | { type: 'status'; status: ChatStatus; agentName: string | null }
  | { type: 'queue'; position: number | null; estimatedWaitSeconds: number | null }
  | { type: 'error'; code: string; message: string }
  /** The visitor's message became ticket `number` (offline, or nobody could take the chat). */
  | { type: 'ticket'; number: number }
  /** The transcript request was taken (it is mailed when the chat ends, or now when it has). */
  | { type: 'transcript'; status: 'requested' | 'queued'; email: string }
  | { type: 'call'; state: ChatCallState; reason?: string }
  | { type: 'call.answer'; sdp: string }
  | { type: 'pong' };

/** A chat's voice call: invited by the agent, declined, ringing the agent, connected, ended. */
export const chatCallState = z.enum(['invited', 'declined', 'ringing', 'connected', 'ended']);
export type ChatCallState = z.infer<typeof chatCallState>;
/** `chat.call` on topic `chat:<id>` (agents and the visitor's sockets). */
export const chatCallEvent = z.object({ interactionId: z.string(), state: chatCallState, by: z.enum(['agent', 'customer', 'system']).optional(), reason: z.string().optional() });
export type ChatCallEvent = z.infer<typeof chatCallEvent>;

/** Close codes of the visitor socket (RFC 6455 §7.4.2 private range). */
export const visitorCloseCodes = { originRefused: 4403, badHello: 4400, rateLimited: 4429, widgetUnknown: 4404 } as const;

// Events on the agents' realtime socket (ServerMessage `event` names), topic `chat:<interactionId>` for messages.

/** `chat.assigned` to the agent: a chat they accepted, with what the visitor told and where they are. */
export const chatAssignedEvent = z.object({
  interactionId: z.string(),
  visitorName: z.string(),
  contactId: z.string().nullable(),
  verified: z.boolean(),
  prechat: prechatAnswers,
  page: z.string().nullable(),
  referrer: z.string().nullable(),
});
export type ChatAssignedEvent = z.infer<typeof chatAssignedEvent>;

/** Pushed on topic `chat:<id>`: `chat.message` (ChatMessage), `chat.receipt`, `chat.typing`, `chat.status`. */
export const chatReceiptEvent = z.object({ interactionId: z.string(), by: z.enum(['agent', 'customer']), kind: z.enum(['delivered', 'read']), seq: z.number().int() });
export const chatTypingEvent = z.object({ interactionId: z.string(), by: z.enum(['agent', 'customer']), on: z.boolean() });
export const chatStatusEvent = z.object({ interactionId: z.string(), status: chatStatus, agentName: z.string().nullable() });

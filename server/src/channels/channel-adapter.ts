// The ChannelAdapter port: what every text channel (web chat first; email, WeChat, SMS later) gives Kefu.
// An adapter turns a channel's own inbound payload into an InboundMessage (normalize), carries Kefu's outbound
// messages and events to the customer (deliver), and says what the channel can do (capabilities), so that the
// agent side can hide typing indicators or attachments where a channel has none.
import type { Channel } from '../conversations/interactions.service.ts';
import type { ConversationMessage } from '../conversations/messages.service.ts';

export interface ChannelCapabilities {
  typing: boolean;
  deliveryReceipts: boolean;
  readReceipts: boolean;
  attachments: boolean;
  /** Longest text one message may carry. */
  maxTextLength: number;
}

/** Who wrote, as the channel knows them (the address Kefu finds or creates the contact by). */
export interface InboundSender {
  /** Channel address: a signed visitor id, an email address, an openid. */
  address: string;
  displayName: string;
  /** A site-verified user id (web chat with HMAC identity); the contact is linked by it. */
  verifiedUserId?: string | null;
  email?: string | null;
  phone?: string | null;
}

export interface InboundMessage {
  tenantId: string;
  channel: Channel;
  /** The channel endpoint it arrived on (a widget id, a mailbox). */
  endpointId: string;
  sender: InboundSender;
  clientMessageId: string | null;
  text: string;
  attachmentId: string | null;
}

/** What Kefu sends toward the customer on a conversation. */
export type OutboundEvent =
  | { kind: 'message'; message: ConversationMessage }
  | { kind: 'receipt'; by: 'agent'; receipt: 'delivered' | 'read'; seq: number }
  | { kind: 'typing'; on: boolean }
  | { kind: 'status'; status: 'bot' | 'queued' | 'assigned' | 'offline' | 'ended'; agentName: string | null };

export interface ChannelAdapter<Raw = unknown> {
  readonly channel: Channel;
  readonly capabilities: ChannelCapabilities;
  /** Validates and normalizes a channel payload; throws a 4xx AppError naming the field when it is bad. */
  normalize(raw: Raw, context: { tenantId: string; endpointId: string; sender: InboundSender }): InboundMessage;
  /** Carries an event to the customer of an interaction (best effort: the customer may be offline). */
  deliver(tenantId: string, interactionId: string, event: OutboundEvent): Promise<void> | void;
}

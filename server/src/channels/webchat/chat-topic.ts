// Every chat event goes to one realtime topic per conversation, `chat:<interactionId>`: the assigned agent (and
// supervisors) subscribe on the agent WebSocket, the visitor gateway subscribes each visitor socket. The hub's
// fanout carries it to whichever node holds the sockets (NATS in a cluster).
import type { ServerMessage } from '@kefu/contracts';
import type { RealtimeHub } from '../../realtime/realtime.hub.ts';

export const CHAT_TOPIC_KIND = 'chat';
export const chatTopic = (interactionId: string) => `${CHAT_TOPIC_KIND}:${interactionId}`;

export type ChatEventName = 'chat.message' | 'chat.receipt' | 'chat.typing' | 'chat.status' | 'chat.call' | 'chat.call.hangup'
  /** An offline message (or a chat nobody took) became a ticket: `{ interactionId, number }`. */
  | 'chat.ticket';

export function publishChat(hub: RealtimeHub, tenantId: string, interactionId: string, name: ChatEventName, data: unknown): void {
  const topic = chatTopic(interactionId);
  const message: ServerMessage = { type: 'event', name, topic, data };
  hub.publishTopic(tenantId, topic, message);
}

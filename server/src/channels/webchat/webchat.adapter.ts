// Web chat as a ChannelAdapter: inbound messages are the widget socket's `send` frames, outbound events go to
// the conversation's realtime topic, where the visitor gateway picks them up for the visitor's socket(s).
import type { RealtimeHub } from '../../realtime/realtime.hub.ts';
import { invalid } from '../../platform/errors.ts';
import type { ChannelAdapter, InboundMessage, OutboundEvent } from '../channel-adapter.ts';
import { publishChat } from './chat-topic.ts';

export const WEBCHAT_MAX_TEXT = 4000;

export interface WidgetSendFrame {
  clientMessageId: string;
  text: string;
  attachmentId?: string | undefined;
}

export function webchatAdapter(hub: RealtimeHub): ChannelAdapter<WidgetSendFrame> {
  return {
    channel: 'chat',
    capabilities: { typing: true, deliveryReceipts: true, readReceipts: true, attachments: true, maxTextLength: WEBCHAT_MAX_TEXT },
    normalize(raw, context): InboundMessage {
      // Text is kept exactly as typed (it is rendered as text everywhere, never as HTML); only its size is checked.
      if (raw.text.length > WEBCHAT_MAX_TEXT) throw invalid('text', `is longer than ${WEBCHAT_MAX_TEXT} characters`);
      if (!raw.text.trim() && !raw.attachmentId) throw invalid('text', 'must not be empty');
      return {
        tenantId: context.tenantId,
        channel: 'chat',
        endpointId: context.endpointId,
        sender: context.sender,
        clientMessageId: raw.clientMessageId,
        text: raw.text,
        attachmentId: raw.attachmentId ?? null,
      };
    },
    deliver(tenantId, interactionId, event: OutboundEvent) {
      switch (event.kind) {
        case 'message':
          return publishChat(hub, tenantId, interactionId, 'chat.message', event.message);
        case 'receipt':
          return publishChat(hub, tenantId, interactionId, 'chat.receipt', { interactionId, by: event.by, kind: event.receipt, seq: event.seq });
        case 'typing':
          return publishChat(hub, tenantId, interactionId, 'chat.typing', { interactionId, by: 'agent', on: event.on });
        case 'status':
          return publishChat(hub, tenantId, interactionId, 'chat.status', { interactionId, status: event.status, agentName: event.agentName });
      }
    },
  };
}

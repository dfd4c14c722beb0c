// The port web chat uses to turn a chat into a voice call (docs/webchat.md, "Voice calls"): the voice module
// answers the visitor's WebRTC offer with the media engine and rings the chat's agent; web chat decides who may
// call (the visitor's own chat, accepted, allowed by the widget) and never passes a destination other than the
// chat's agent. One slot per Kefu instance: the voice module fills it, the channels module reads it per call.
export type ChatCallProgress = 'ringing' | 'connected' | 'ended';

export interface ChatCallRequest {
  tenantId: string;
  divisionId: string;
  interactionId: string;
  /** The chat's agent: the only person this call can reach. */
  agentId: string;
  /** Shown to the agent's phone as the caller. */
  callerName: string;
  /** The visitor's WebRTC offer (all ICE candidates gathered). */
  offerSdp: string;
  /** The agent asked for the call: their browser phone answers by itself. */
  autoAnswer: boolean;
  /** Progress of the call (ended carries who ended it, why, and the talk time). */
  onProgress(state: ChatCallProgress, detail: { by?: 'customer' | 'agent' | 'system'; reason?: string; talkMs?: number }): void;
}

export interface ChatCallHandle {
  /** The media engine's answer for the visitor's browser. */
  answerSdp: string;
  hangup(by: 'customer' | 'agent' | 'system', reason?: string): Promise<void>;
}

export interface ChatCalls {
  /** Whether the agent has a device that can ring now (a browser phone switched on, or a registered SIP phone). */
  canReach(tenantId: string, agentId: string): Promise<boolean>;
  /** Whether this node carries a live call of the interaction. */
  live(interactionId: string): boolean;
  /** Answers the visitor and rings the agent (the answer returns at once; progress follows). */
  place(request: ChatCallRequest): Promise<ChatCallHandle>;
  /** Ends the interaction's call if this node carries it; false when it does not. */
  hangup(interactionId: string, by: 'customer' | 'agent' | 'system', reason?: string): Promise<boolean>;
}

export class ChatCallSlot {
  private calls: ChatCalls | undefined;
  set(calls: ChatCalls): void {
    this.calls = calls;
  }
  get(): ChatCalls | undefined {
    return this.calls;
  }
}

const slots = new WeakMap<object, ChatCallSlot>();

export function chatCallSlotFor(ctx: object): ChatCallSlot {
  let slot = slots.get(ctx);
  if (!slot) {
    slot = new ChatCallSlot();
    slots.set(ctx, slot);
  }
  return slot;
}

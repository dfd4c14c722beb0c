// Where a channel's inbound conversation goes before routing: the chat-flow hook. The flows module (issue 6)
// registers a ChatFlowHook (bot greeting, buttons, collected fields); web chat runs it when the widget names a
// flow and hands the chat to routing when the flow says so. Without a hook, chats go straight to routing.
export interface ChatFlowHandOff {
  /** The queue the flow chose (null: the channel's default queue). */
  queueId: string | null;
}

export interface ChatFlowHook {
  /** Starts the flow; resolves with a hand-off when the flow ends in one at once, or undefined while it talks. */
  start(input: { tenantId: string; flowId: string; interactionId: string; vars: Record<string, string | undefined> }): Promise<ChatFlowHandOff | undefined>;
  /** A customer message while the flow talks. */
  input?(input: { tenantId: string; interactionId: string; text: string }): Promise<void>;
}

/** One per Kefu instance (by module context): the flows module sets it, web chat reads it at each chat start. */
export class ChatFlowSlot {
  private hook: ChatFlowHook | undefined;

  set(hook: ChatFlowHook): void {
    this.hook = hook;
  }

  get(): ChatFlowHook | undefined {
    return this.hook;
  }
}

const slots = new WeakMap<object, ChatFlowSlot>();

export function chatFlowSlotFor(ctx: object): ChatFlowSlot {
  let slot = slots.get(ctx);
  if (!slot) {
    slot = new ChatFlowSlot();
    slots.set(ctx, slot);
  }
  return slot;
}

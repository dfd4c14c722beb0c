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
  /**
   * Post-contact survey: the agent ends the chat. Claims the survey the chat's flow marked it for (once) and
   * answers its survey flow, or undefined when none is due (no mark, not sampled, already taken).
   */
  surveyDue?(input: { tenantId: string; interactionId: string; taskId: string | null; contactId: string | null }): Promise<string | undefined>;
  /** The chat ended without a survey hand-over (the visitor left first): a survey it was marked for is skipped. */
  surveySkipped?(input: { tenantId: string; interactionId: string; reason: string }): Promise<void>;
  /** Starts the claimed survey flow; its questions go to the visitor as bot messages (buttons included). */
  startSurvey?(input: { tenantId: string; interactionId: string; surveyFlowId: string }): Promise<void>;
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

// Where a conversation nobody could answer goes: the tickets module registers a TicketIntake (issue 9 follow-up);
// web chat hands it an offline message (or a chat that waited too long) and tells the visitor the ticket number.

export interface ConversationTicket {
  tenantId: string;
  divisionId: string;
  interactionId: string;
  contactId: string | null;
  /** The channel it came from; also the ticket's source, so that a second hand-in of the same chat finds the first. */
  source: 'webchat';
  subject: string;
  description: string;
  tags: string[];
}

export interface TicketIntake {
  /** Creates the ticket (once per interaction) and answers its number. */
  fromConversation(input: ConversationTicket): Promise<{ ticketId: string; number: number }>;
}

const ticketSlots = new WeakMap<object, { intake?: TicketIntake }>();

/** One per Kefu instance (by module context): the tickets module sets it, channels read it when they need it. */
export function ticketIntakeSlotFor(ctx: object): { intake?: TicketIntake } {
  let slot = ticketSlots.get(ctx);
  if (!slot) {
    slot = {};
    ticketSlots.set(ctx, slot);
  }
  return slot;
}

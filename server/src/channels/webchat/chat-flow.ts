// Chat flows in web chat: the flows module's ChatFlows (bot greeting, buttons, collected fields) driven as the
// chat-flow hook. The flow's outputs become bot messages in the conversation; an ending in hand_off (or any other
// ending: the customer still wants a person) hands the chat to routing.
import type { FlowOutput } from '@kefu/contracts';
import type { ChatFlows, ChatTurn } from '../../flows/chat-port.ts';
import type { ChatFlowHandOff, ChatFlowHook } from '../conversation-intake.ts';

export interface ChatBot {
  say(tenantId: string, interactionId: string, output: FlowOutput): Promise<void>;
  handOff(tenantId: string, interactionId: string, queueId: string | null): Promise<void>;
  /** A post-contact survey ended (answered, or its flow failed): the chat ends. */
  surveyDone?(tenantId: string, interactionId: string): Promise<void>;
}

export class FlowChatHook implements ChatFlowHook {
  /** Flow session of each chat the bot talks in; after a restart (or on another node) the flows module knows it. */
  private readonly sessions = new Map<string, string>();

  constructor(
    private readonly flows: () => Promise<ChatFlows>,
    private readonly bot: ChatBot,
  ) {}

  private async play(tenantId: string, interactionId: string, turn: ChatTurn): Promise<ChatFlowHandOff | undefined> {
    for (const output of turn.outputs) await this.bot.say(tenantId, interactionId, output);
    if (turn.state !== 'ended') return undefined;
    this.sessions.delete(interactionId);
    // A survey's end ends the chat; it never sends the visitor back to a queue.
    if (turn.survey) {
      await this.bot.surveyDone?.(tenantId, interactionId);
      return undefined;
    }
    return { queueId: turn.outcome?.kind === 'hand_off' ? turn.outcome.queueId : null };
  }

  async start(input: { tenantId: string; flowId: string; interactionId: string; vars: Record<string, string | undefined> }): Promise<ChatFlowHandOff | undefined> {
    const vars = Object.fromEntries(Object.entries(input.vars).filter((e): e is [string, string] => typeof e[1] === 'string'));
    const turn = await (await this.flows()).start(input.tenantId, { flowId: input.flowId, interactionId: input.interactionId, vars });
    this.sessions.set(input.interactionId, turn.sessionId);
    return this.play(input.tenantId, input.interactionId, turn);
  }

  async surveyDue(input: { tenantId: string; interactionId: string; taskId: string | null; contactId: string | null }): Promise<string | undefined> {
    return (await this.flows()).claimSurvey?.(input.tenantId, { interactionId: input.interactionId, taskId: input.taskId, contactId: input.contactId });
  }

  async surveySkipped(input: { tenantId: string; interactionId: string; reason: string }): Promise<void> {
    await (await this.flows()).skipSurvey?.(input.tenantId, { interactionId: input.interactionId, reason: input.reason });
  }

  async startSurvey(input: { tenantId: string; interactionId: string; surveyFlowId: string }): Promise<void> {
    const flows = await this.flows();
    if (!flows.startSurvey) return this.bot.surveyDone?.(input.tenantId, input.interactionId);
    const turn = await flows.startSurvey(input.tenantId, { interactionId: input.interactionId, surveyFlowId: input.surveyFlowId });
    this.sessions.set(input.interactionId, turn.sessionId);
    await this.play(input.tenantId, input.interactionId, turn);
  }

  async input(input: { tenantId: string; interactionId: string; text: string }): Promise<void> {
    const flows = await this.flows();
    const sessionId = this.sessions.get(input.interactionId) ?? (await flows.sessionOf(input.tenantId, input.interactionId));
    if (!sessionId) return this.bot.handOff(input.tenantId, input.interactionId, null);
    const turn = await flows.input(input.tenantId, sessionId, { text: input.text });
    const handOff = await this.play(input.tenantId, input.interactionId, turn);
    if (handOff) await this.bot.handOff(input.tenantId, input.interactionId, handOff.queueId);
  }
}

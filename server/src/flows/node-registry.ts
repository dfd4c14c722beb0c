// The typed node registry (STYLE.md "Registries, not switches"): adding a node type is a folder and a line here.
import type { NodeType } from '@kefu/contracts';
import type { FlowNodeImpl } from './engine/flow-types.ts';
import { askNode } from './nodes/ask/ask.node.ts';
import { businessHoursNode } from './nodes/business-hours/business-hours.node.ts';
import { buttonsNode } from './nodes/buttons/buttons.node.ts';
import { collectDigitsNode } from './nodes/collect-digits/collect-digits.node.ts';
import { callbackNode } from './nodes/callback/callback.node.ts';
import { collectNode } from './nodes/collect/collect.node.ts';
import { handOffNode } from './nodes/hand-off/hand-off.node.ts';
import { hangupNode } from './nodes/hangup/hangup.node.ts';
import { httpRequestNode } from './nodes/http-request/http-request.node.ts';
import { kbAnswerNode } from './nodes/kb-answer/kb-answer.node.ts';
import { languageSelectNode } from './nodes/language-select/language-select.node.ts';
import { menuNode } from './nodes/menu/menu.node.ts';
import { messageNode } from './nodes/message/message.node.ts';
import { playNode } from './nodes/play/play.node.ts';
import { queueNode } from './nodes/queue/queue.node.ts';
import { returnNode } from './nodes/return/return.node.ts';
import { sayNode } from './nodes/say/say.node.ts';
import { setVariableNode } from './nodes/set-variable/set-variable.node.ts';
import { surveyAnswerNode } from './nodes/survey-answer/survey-answer.node.ts';
import { surveyNode } from './nodes/survey/survey.node.ts';
import { subFlowNode } from './nodes/sub-flow/sub-flow.node.ts';
import { switchNode } from './nodes/switch/switch.node.ts';
import { transferNode } from './nodes/transfer/transfer.node.ts';
import { voicemailNode } from './nodes/voicemail/voicemail.node.ts';

export const nodeRegistry = {
  play: playNode,
  say: sayNode,
  menu: menuNode,
  collect_digits: collectDigitsNode,
  ask: askNode,
  http_request: httpRequestNode,
  switch: switchNode,
  set_variable: setVariableNode,
  business_hours: businessHoursNode,
  language_select: languageSelectNode,
  queue: queueNode,
  transfer: transferNode,
  voicemail: voicemailNode,
  callback: callbackNode,
  sub_flow: subFlowNode,
  hangup: hangupNode,
  return: returnNode,
  message: messageNode,
  buttons: buttonsNode,
  collect: collectNode,
  kb_answer: kbAnswerNode,
  hand_off: handOffNode,
  survey: surveyNode,
  survey_answer: surveyAnswerNode,
} satisfies { [T in NodeType]: FlowNodeImpl<T> };

export function nodeImpl(type: string): FlowNodeImpl<NodeType> | undefined {
  return Object.hasOwn(nodeRegistry, type) ? (nodeRegistry[type as NodeType] as unknown as FlowNodeImpl<NodeType>) : undefined;
}

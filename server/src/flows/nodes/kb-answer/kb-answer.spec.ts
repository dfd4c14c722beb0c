// The kb_answer node's spec lives in packages/contracts (shared with the editor); re-exported here beside its runner.
import { nodeConfigs, nodeSpecs } from '@kefu/contracts';

export const kbAnswerConfig = nodeConfigs.kb_answer;
export const kbAnswerSpec = nodeSpecs.kb_answer;

// The survey_answer node's spec lives in packages/contracts (shared with the editor); re-exported here beside its runner.
import { nodeConfigs, nodeSpecs } from '@kefu/contracts';

export const surveyAnswerConfig = nodeConfigs.survey_answer;
export const surveyAnswerSpec = nodeSpecs.survey_answer;

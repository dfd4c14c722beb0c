// The survey node's spec lives in packages/contracts (shared with the editor); re-exported here beside its runner.
import { nodeConfigs, nodeSpecs } from '@kefu/contracts';

export const surveyConfig = nodeConfigs.survey;
export const surveySpec = nodeSpecs.survey;

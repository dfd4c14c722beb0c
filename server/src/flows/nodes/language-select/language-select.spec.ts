// The language_select node's spec lives in packages/contracts (shared with the editor); re-exported here beside its runner.
import { nodeConfigs, nodeSpecs } from '@kefu/contracts';

export const languageSelectConfig = nodeConfigs.language_select;
export const languageSelectSpec = nodeSpecs.language_select;

// The buttons node's spec lives in packages/contracts (shared with the editor); re-exported here beside its runner.
import { nodeConfigs, nodeSpecs } from '@kefu/contracts';

export const buttonsConfig = nodeConfigs.buttons;
export const buttonsSpec = nodeSpecs.buttons;

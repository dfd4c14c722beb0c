// The say node's spec lives in packages/contracts (shared with the editor); re-exported here beside its runner.
import { nodeConfigs, nodeSpecs } from '@kefu/contracts';

export const sayConfig = nodeConfigs.say;
export const saySpec = nodeSpecs.say;

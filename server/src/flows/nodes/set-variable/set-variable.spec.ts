// The set_variable node's spec lives in packages/contracts (shared with the editor); re-exported here beside its runner.
import { nodeConfigs, nodeSpecs } from '@kefu/contracts';

export const setVariableConfig = nodeConfigs.set_variable;
export const setVariableSpec = nodeSpecs.set_variable;

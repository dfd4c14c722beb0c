// The collect node's spec lives in packages/contracts (shared with the editor); re-exported here beside its runner.
import { nodeConfigs, nodeSpecs } from '@kefu/contracts';

export const collectConfig = nodeConfigs.collect;
export const collectSpec = nodeSpecs.collect;

// The return node's spec lives in packages/contracts (shared with the editor); re-exported here beside its runner.
import { nodeConfigs, nodeSpecs } from '@kefu/contracts';

export const returnConfig = nodeConfigs.return;
export const returnSpec = nodeSpecs.return;

// The hand_off node's spec lives in packages/contracts (shared with the editor); re-exported here beside its runner.
import { nodeConfigs, nodeSpecs } from '@kefu/contracts';

export const handOffConfig = nodeConfigs.hand_off;
export const handOffSpec = nodeSpecs.hand_off;

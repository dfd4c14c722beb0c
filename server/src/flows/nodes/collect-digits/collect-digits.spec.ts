// The collect_digits node's spec lives in packages/contracts (shared with the editor); re-exported here beside its runner.
import { nodeConfigs, nodeSpecs } from '@kefu/contracts';

export const collectDigitsConfig = nodeConfigs.collect_digits;
export const collectDigitsSpec = nodeSpecs.collect_digits;

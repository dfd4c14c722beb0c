// The sub_flow node's spec lives in packages/contracts (shared with the editor); re-exported here beside its runner.
import { nodeConfigs, nodeSpecs } from '@kefu/contracts';

export const subFlowConfig = nodeConfigs.sub_flow;
export const subFlowSpec = nodeSpecs.sub_flow;

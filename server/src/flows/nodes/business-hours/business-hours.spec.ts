// The business_hours node's spec lives in packages/contracts (shared with the editor); re-exported here beside its runner.
import { nodeConfigs, nodeSpecs } from '@kefu/contracts';

export const businessHoursConfig = nodeConfigs.business_hours;
export const businessHoursSpec = nodeSpecs.business_hours;

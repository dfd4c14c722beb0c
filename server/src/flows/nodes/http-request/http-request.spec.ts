// The http_request node's spec lives in packages/contracts (shared with the editor); re-exported here beside its runner.
import { nodeConfigs, nodeSpecs } from '@kefu/contracts';

export const httpRequestConfig = nodeConfigs.http_request;
export const httpRequestSpec = nodeSpecs.http_request;

export * from './events.ts';
export * from './errors.ts';
export * from './platform-api.ts';
export * from './realtime.ts';
export * from './flows/index.ts';
export * from './webchat.ts';
export * from './desktop.ts';
export * from './markdown.ts';

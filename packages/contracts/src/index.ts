export * from './events.ts';
export * from './errors.ts';
export * from './platform-api.ts';
export * from './realtime.ts';

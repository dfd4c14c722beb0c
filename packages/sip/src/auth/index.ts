export * from './digest.ts';
export * from './digest.client.ts';
export * from './digest.server.ts';

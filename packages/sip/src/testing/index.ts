export * from './fake-clock.ts';
export * from './memory.transport.ts';

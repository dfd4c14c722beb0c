export * from './fake-clock.ts';
export * from './memory.transport.ts';
export * from './builders.ts';
export * from './scripted-ua.ts';
export { Baresip, type BaresipEvent } from './baresip.ts';

export * from './node-specs.ts';
export * from './graph.ts';

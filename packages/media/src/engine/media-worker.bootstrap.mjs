// Worker entry when running from TypeScript sources: load tsx's ESM hooks in this thread, then the worker.
import { register } from 'tsx/esm/api';

register();
await import('./media-worker.ts');

#!/usr/bin/env node
// The `kefu` command. Kefu's sources are TypeScript run through tsx, so there is no build step for the server.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');

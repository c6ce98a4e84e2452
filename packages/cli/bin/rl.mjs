#!/usr/bin/env node
// The `rl` command. Runs the TypeScript sources directly in this one process: a resolve hook adds
// the "source" export condition and tsx compiles TypeScript on load. One process (no re-spawn),
// so signals sent to this pid (Ctrl-C, SIGTERM, SIGKILL) reach the training loop itself.
import { register } from 'node:module';

register('./source-condition.mjs', import.meta.url);
const { register: registerTsx } = await import('tsx/esm/api');
registerTsx();
await import('../src/main.ts');

#!/usr/bin/env node
// The `rl` command. Runs the TypeScript sources directly in this one process: a resolve hook adds
// the "source" export condition and tsx compiles TypeScript on load. One process (no re-spawn),
// so signals sent to this pid (Ctrl-C, SIGTERM, SIGKILL) reach the training loop itself.
import { register } from 'node:module';

register('./source-condition.mjs', import.meta.url);
const { register: registerTsx } = await import('tsx/esm/api');
registerTsx();
// tsx turns on source-map support, which makes Node read the .map file of every CommonJS module
// it loads (tfjs ships large ones): ~0.1 s of start-up. Keep it only when debugging.
if (!process.env.RL_DEBUG) process.setSourceMapsEnabled(false);
await import('../src/main.ts');

#!/usr/bin/env node
// rl-distributed: one process of a distributed run. Runs src/main.ts from source in THIS
// process (a resolve hook adds the "source" export condition, tsx compiles TypeScript), so a
// signal sent to this pid (SIGTERM from Kubernetes, SIGKILL in the fault tests) reaches the
// actor or learner itself. Same as `node --conditions=source --import tsx src/main.ts …`.
import { register } from 'node:module';

register('./source-condition.mjs', import.meta.url);
const { register: registerTsx } = await import('tsx/esm/api');
registerTsx();
if (!process.env.RL_DEBUG) process.setSourceMapsEnabled(false);
await import('../src/main.ts');

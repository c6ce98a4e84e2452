#!/usr/bin/env node
// `rl-serve DIR [flags]`: a saved policy over HTTP. Installed, it runs
// the built JavaScript (dist/). In the repo (src/ present) scripts/launch.mjs runs dist/ when
// `pnpm build` is up to date with the sources, else the TypeScript sources. One process either
// way: signals sent to this pid (SIGTERM, SIGKILL) reach the command itself.
import { existsSync } from 'node:fs';

if (existsSync(new URL('../src/main.ts', import.meta.url))) {
  const { launch } = await import('../../../scripts/launch.mjs');
  await launch(new URL('../', import.meta.url));
} else {
  await import('../dist/main.js');
}

#!/usr/bin/env node
// `./rl <command> …`: the rl command of this repo (packages/cli/bin/rl.mjs) in this one process,
// with no package manager in between: SIGTERM and SIGINT reach the trainer or server itself, and
// stdout holds only the command's output (`--json` prints one JSON document). The same as
// node_modules/.bin/rl. (`npx rl` and `pnpm rl` run it too, as a child process: npm does not
// pass SIGTERM on, pnpm passes it but exits before the command has finished shutting down.)
await import('./packages/cli/bin/rl.mjs');

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BackendName } from '@rl/tf';
import { CliError } from './errors.js';
import { RUN_FILES } from './rundir.js';

/** Options of `rl serve`. */
export interface ServeOptions {
  readonly host?: string;
  readonly port?: number;
  readonly maxBatch?: number;
  readonly maxWaitMs?: number;
  readonly backend?: string;
}

/** The policy directory to serve: `DIR/model/` of a run directory, or DIR itself when it holds a saved policy. */
export function policyDirOf(dir: string): string {
  const model = join(dir, RUN_FILES.model);
  if (existsSync(join(model, 'model.json'))) return model;
  if (existsSync(join(dir, 'model.json'))) return dir;
  if (!existsSync(dir)) throw new CliError(`${dir}: no such directory`);
  throw new CliError(`${dir}: neither a run directory with ${RUN_FILES.model}/model.json nor a saved policy (model.json)`);
}

/**
 * `rl serve DIR`: the run's policy as an HTTP service (`@rl/serve`'s `runServeCommand`:
 * POST /act micro-batched, /healthz, /metadata, /metrics) until SIGTERM / SIGINT, which
 * drain the requests in flight and exit 0.
 */
export async function serveCommand(dir: string, opts: ServeOptions): Promise<void> {
  const policyDir = policyDirOf(dir);
  const { runServeCommand } = await import('@rl/serve');
  await runServeCommand({
    dir: policyDir,
    ...(opts.host !== undefined ? { host: opts.host } : {}),
    ...(opts.port !== undefined ? { port: opts.port } : {}),
    ...(opts.maxBatch !== undefined ? { maxBatch: opts.maxBatch } : {}),
    ...(opts.maxWaitMs !== undefined ? { maxWaitMs: opts.maxWaitMs } : {}),
    ...(opts.backend !== undefined ? { backend: opts.backend as BackendName } : {}),
    onListening: (a) => process.stdout.write(`rl serve: ${policyDir} on ${a.url} (POST /act, GET /healthz /metadata /metrics; Ctrl-C stops)\n`),
  });
}

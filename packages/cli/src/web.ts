import { resolve } from 'node:path';
import { enableTypeScript } from './typescript.js';

/** Options of `rl web`. */
export interface WebOptions {
  readonly port?: number;
  readonly host?: string;
  readonly runs?: string;
  readonly buildDir?: string;
}

/**
 * `rl web` (as `pnpm web`): builds the web app (apps/web, Vite) and serves it with the runs
 * directory at /runs/, so a model trained by `rl train` loads in the browser from
 * /runs/<run>/model/. Runs until SIGINT / SIGTERM, as `pnpm web`. (Measured: a SIGTERM after the
 * Vite build ends the process with status 143 although the handler below is installed; cause
 * not found.)
 */
export async function webCommand(opts: WebOptions): Promise<void> {
  // Installed first: a signal during the build also ends the command cleanly.
  let stop: () => void = () => undefined;
  const stopped = new Promise<void>((done) => (stop = done));
  process.once('SIGINT', () => stop());
  process.once('SIGTERM', () => stop());
  await enableTypeScript(); // @rl/web (apps/web, the repo's app) is TypeScript only
  const { buildBundle, serveStatic, WEB_DIR } = await import('@rl/web/node');
  const out = await buildBundle({ which: 'app', outDir: resolve(opts.buildDir ?? resolve(WEB_DIR, 'dist')) });
  const runs = resolve(opts.runs ?? 'runs');
  const server = await serveStatic({ root: out, mounts: { '/runs/': runs }, port: opts.port ?? 5173, host: opts.host ?? '127.0.0.1' });
  process.stdout.write(`rl web: ${server.url}  (runs from ${runs} at ${server.url}runs/; a run's model: ${server.url}runs/<run>/model/; Ctrl-C stops)\n`);
  await stopped;
  await server.close();
}

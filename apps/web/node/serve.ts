/**
 * `pnpm web`: builds the web app (apps/web/dist) and serves it on http://127.0.0.1:PORT/ with
 * the runs directory at /runs/, so a model trained by `rl train` loads from
 * /runs/<run>/model/. Options: --port N (default 5173), --runs DIR (default ./runs), --host H.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildBundle, WEB_DIR } from './bundle.js';
import { serveStatic } from './static_server.js';

const { values } = parseArgs({ options: { port: { type: 'string', default: '5173' }, runs: { type: 'string', default: 'runs' }, host: { type: 'string', default: '127.0.0.1' } } });
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`--port must be an integer in [0, 65535], got ${values.port}`);
const out = await buildBundle({ which: 'app', outDir: resolve(WEB_DIR, 'dist') });
const runs = resolve(values.runs!);
const s = await serveStatic({ root: out, mounts: { '/runs/': runs }, port, host: values.host! });
console.log(`rl web app: ${s.url}  (runs from ${runs} at ${s.url}runs/; a run's model: ${s.url}runs/<run>/model/)`);

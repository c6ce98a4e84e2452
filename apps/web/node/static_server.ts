/**
 * A small static file server (node:http) for the built web app, the test harness and saved
 * models: one root directory plus mount points such as `/runs/` → a run directory. Paths
 * cannot leave their directory; `.wasm` is served as application/wasm (streaming compile).
 */
import { createReadStream, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/** Options of {@link serveStatic}. */
export interface StaticServerOptions {
  /** Directory served at `/` (index.html for `/`). */
  readonly root: string;
  /** URL prefix (e.g. `/runs/`) → directory. */
  readonly mounts?: Readonly<Record<string, string>>;
  /** Host to bind; default 127.0.0.1 (local only). */
  readonly host?: string;
  /** Port; default 0 (any free port). */
  readonly port?: number;
}

/** A running server. */
export interface StaticServer {
  /** Base URL, e.g. `http://127.0.0.1:41234/`. */
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  close(): Promise<void>;
}

function resolveInside(dir: string, rel: string): string | undefined {
  const base = resolve(dir);
  const full = resolve(join(base, rel));
  return full === base || full.startsWith(base + sep) ? full : undefined;
}

/**
 * Serves `root` and the mounts over HTTP (GET/HEAD only) on 127.0.0.1.
 *
 * @example
 * const s = await serveStatic({ root: 'apps/web/dist', mounts: { '/runs/': 'runs' } });
 * console.log(s.url); // http://127.0.0.1:PORT/
 */
export async function serveStatic(opts: StaticServerOptions): Promise<StaticServer> {
  const mounts = Object.entries(opts.mounts ?? {}).sort((a, b) => b[0].length - a[0].length);
  const server = createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      res.writeHead(400).end('bad URL');
      return;
    }
    let dir = opts.root;
    let rel = path;
    for (const [prefix, target] of mounts) {
      if (path.startsWith(prefix)) {
        dir = target;
        rel = path.slice(prefix.length);
        break;
      }
    }
    let file = resolveInside(dir, rel);
    if (!file) {
      res.writeHead(403).end('forbidden');
      return;
    }
    let st;
    try {
      st = statSync(file);
      if (st.isDirectory()) {
        file = join(file, 'index.html');
        st = statSync(file);
      }
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end(`not found: ${path}`);
      return;
    }
    res.writeHead(200, {
      'content-type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
      'content-length': st.size,
      'cache-control': 'no-cache',
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port ?? 0, host, () => ok());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://${host}:${port}/`,
    port,
    server,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

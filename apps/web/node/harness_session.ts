/**
 * One built harness page in one headless Chromium, shared by a test file: builds the bundle
 * (Vite), serves it on 127.0.0.1 (port 0) with optional mounts, opens it, and calls harness
 * functions through `page.evaluate`. A missing Chromium fails with how to install it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBundle } from './bundle.js';
import { chromiumPath, launchChromium, type ChromiumSession } from './chromium.js';
import { serveStatic, type StaticServer } from './static_server.js';

/** A served, opened harness page. */
export interface HarnessSession {
  readonly chromium: ChromiumSession;
  readonly server: StaticServer;
  /** Calls a harness function in the page and returns its JSON result. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the harness's JSON results (see harness/harness.ts)
  call(name: string, ...args: unknown[]): Promise<any>;
  close(): Promise<void>;
}

/** Builds and opens the harness (or the app, for `which: 'app'`, with `call` unused). */
export async function openHarness(opts: { readonly which?: 'app' | 'harness'; readonly mounts?: Record<string, string>; readonly path?: string } = {}): Promise<HarnessSession> {
  chromiumPath(); // fail first, with how to install one, when there is no Chromium
  const out = mkdtempSync(join(tmpdir(), 'rl-web-bundle-'));
  let server: StaticServer | undefined;
  try {
    await buildBundle({ which: opts.which ?? 'harness', outDir: out, minify: false });
    server = await serveStatic({ root: out, mounts: opts.mounts ?? {} });
    const chromium = await launchChromium();
    const srv = server;
    try {
      await chromium.page.goto(srv.url + (opts.path ?? ''));
      if ((opts.which ?? 'harness') === 'harness') {
        await chromium.page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready', null, { timeout: 60_000 });
      }
    } catch (err) {
      await chromium.close();
      throw new Error(`the page did not load: ${(err as Error).message}\nbrowser log:\n${chromium.log.join('\n')}`);
    }
    return {
      chromium,
      server: srv,
      async call(name, ...args) {
        try {
          return await chromium.page.evaluate(([n, a]) => (globalThis as unknown as { rl: Record<string, (...x: unknown[]) => unknown> }).rl[n as string]!(...(a as unknown[])), [name, args] as const) as never;
        } catch (err) {
          throw new Error(`${String(name)}(${JSON.stringify(args)}) failed in the page: ${(err as Error).message}\nbrowser log:\n${chromium.log.slice(-20).join('\n')}`);
        }
      },
      async close() {
        await chromium.close();
        await srv.close();
        rmSync(out, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await server?.close();
    rmSync(out, { recursive: true, force: true });
    throw err;
  }
}

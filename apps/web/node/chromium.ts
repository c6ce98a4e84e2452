/**
 * Headless Chromium for the browser tests and the browser benchmark, driven by playwright-core
 * with a system Chromium (playwright's own browser downloads are never used). The flags give
 * WebGPU and WebGL a software GPU (SwiftShader) where the machine has no GPU, and keep the
 * browser off the network.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Where Chromium is looked for when `CHROMIUM_PATH` is not set (Debian's `chromium` package). */
export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/** Command-line flags: headless, WebGPU and WebGL on SwiftShader, no network side traffic. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu-sandbox',
  '--enable-unsafe-webgpu',
  '--use-webgpu-adapter=swiftshader',
  '--enable-unsafe-swiftshader',
  '--use-angle=swiftshader',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** Thrown when no Chromium executable is found; the message says how to install one or point at one. */
export class ChromiumNotFoundError extends Error {
  override readonly name = 'ChromiumNotFoundError';
}

/**
 * The Chromium executable: `$CHROMIUM_PATH` if set, else /usr/bin/chromium. Throws
 * {@link ChromiumNotFoundError} saying how to install it when the file does not exist.
 */
export function chromiumPath(): string {
  const fromEnv = process.env.CHROMIUM_PATH;
  const path = fromEnv && fromEnv.length > 0 ? fromEnv : DEFAULT_CHROMIUM;
  if (!existsSync(path)) {
    throw new ChromiumNotFoundError(
      `Chromium not found at ${path}${fromEnv ? ' (from CHROMIUM_PATH)' : ''}. The browser tests and \`rl bench rollout --browser\` need a Chromium: ` +
        `install Debian's with \`sudo apt-get update && sudo apt-get install -y chromium\` (.ci/run does this), ` +
        `or set CHROMIUM_PATH to a Chromium/Chrome executable (e.g. CHROMIUM_PATH=/opt/google/chrome/chrome).`,
    );
  }
  return path;
}

/** A launched headless Chromium with one page. */
export interface ChromiumSession {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Console lines and page errors seen so far (for failure messages). */
  readonly log: string[];
  /** Closes the browser and removes its profile directory. */
  close(): Promise<void>;
}

/**
 * Launches headless Chromium with a fresh profile directory and returns its page.
 *
 * @example
 * const s = await launchChromium();
 * await s.page.goto(url);
 * await s.close();
 */
export async function launchChromium(opts: { readonly viewport?: { width: number; height: number }; readonly extraArgs?: readonly string[] } = {}): Promise<ChromiumSession> {
  const executablePath = chromiumPath();
  const profile = mkdtempSync(join(tmpdir(), 'rl-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath,
      headless: true,
      args: [...CHROMIUM_ARGS, ...(opts.extraArgs ?? [])],
      viewport: opts.viewport ?? { width: 1280, height: 900 },
    });
  } catch (err) {
    rmSync(profile, { recursive: true, force: true });
    throw new Error(`launching Chromium ${executablePath} failed: ${(err as Error).message}`, { cause: err });
  }
  const page = context.pages()[0] ?? (await context.newPage());
  const log: string[] = [];
  page.on('console', (m) => {
    log.push(`[${m.type()}] ${m.text()}`);
    if (log.length > 400) log.splice(0, log.length - 400);
  });
  page.on('pageerror', (e) => log.push(`[pageerror] ${e.message}`));
  return {
    context,
    page,
    log,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

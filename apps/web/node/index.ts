/**
 * `@rl/web/node`: the Node side of the browser work — build the app or the harness with Vite,
 * serve it, drive it in headless Chromium (playwright-core + a system Chromium).
 */
export { buildBundle, WEB_DIR, WASM_SUBDIR } from './bundle.js';
export type { BuildBundleOptions } from './bundle.js';
export { serveStatic } from './static_server.js';
export type { StaticServer, StaticServerOptions } from './static_server.js';
export { launchChromium, chromiumPath, CHROMIUM_ARGS, DEFAULT_CHROMIUM, ChromiumNotFoundError } from './chromium.js';
export type { ChromiumSession } from './chromium.js';
export { openHarness } from './harness_session.js';
export type { HarnessSession } from './harness_session.js';

/** `pnpm --filter @rl/web build`: bundles the web app into apps/web/dist. */
import { resolve } from 'node:path';
import { buildBundle, WEB_DIR } from './bundle.js';

const out = await buildBundle({ which: 'app', outDir: resolve(WEB_DIR, 'dist') });
console.log(`built ${out}`);

import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { withoutAddedErrorHandlers } from './error_handlers.js';

// A real Node process that loads the wasm backend and then fails the way a user's bug does: Node
// must print the error and its stack, not the 38 KB line of minified Emscripten source that
// tfjs-backend-wasm's rethrowing handlers made it print first.
const PKG = join(dirname(fileURLToPath(import.meta.url)), '..');
function child(code: string): { status: number | null; stderr: string } {
  const script = `const { initTf } = await import('@rl/tf'); await initTf({ backend: 'wasm' }); ${code}`;
  const r = spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', '--input-type=module', '-e', script], { cwd: PKG, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stderr: r.stderr };
}

describe('errors after wasm init print as Node prints them', () => {
  it.concurrent('a thrown error: exit 1, the message and its stack, no minified source', () => {
    const r = child("function userCode() { throw new Error('my own bug'); } userCode();");
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('Error: my own bug');
    expect(r.stderr).toMatch(/\n\s+at userCode /);
    expect(r.stderr).not.toContain('ExitStatus');
    expect(r.stderr).not.toContain('var Module');
    expect(r.stderr.length).toBeLessThan(2_000);
  });

  it.concurrent('an unhandled rejection: exit 1, the reason and its stack, no minified source', () => {
    const r = child("Promise.reject(new RangeError('rejected by user code'));");
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('RangeError: rejected by user code');
    expect(r.stderr).not.toContain('var Module');
    expect(r.stderr.length).toBeLessThan(2_000);
  });

  it("keeps the program's own handlers, also ones added during init", async () => {
    const mine = (): void => undefined;
    const during = (): void => undefined;
    process.on('uncaughtException', mine);
    try {
      await withoutAddedErrorHandlers(async () => {
        process.on('uncaughtException', during);
        process.on('uncaughtException', function (ex: Error) {
          throw ex; // what Emscripten installs
        });
      });
      const now = process.listeners('uncaughtException');
      expect(now).toContain(mine);
      expect(now).toContain(during);
      expect(now.some((l) => String(l).includes('throw ex'))).toBe(false);
    } finally {
      process.off('uncaughtException', mine);
      process.off('uncaughtException', during);
    }
  });
});

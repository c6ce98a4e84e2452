import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { inputsHash, STAMP } from './build-stamp.mjs';

const LAUNCH = pathToFileURL(join(import.meta.dirname, 'launch.mjs')).href;
const work = mkdtempSync(join(tmpdir(), 'rl-launch-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A workspace of one package `a` whose src/main.ts and dist/main.js print different things. */
function workspace(name: string): { packages: string; pkg: string } {
  const packages = join(work, name, 'packages');
  const pkg = join(packages, 'a');
  mkdirSync(join(pkg, 'src'), { recursive: true });
  mkdirSync(join(pkg, 'dist'), { recursive: true });
  writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'a', type: 'module' }));
  writeFileSync(join(pkg, 'tsconfig.json'), '{}');
  writeFileSync(join(pkg, 'tsconfig.build.json'), '{}');
  writeFileSync(join(pkg, 'src', 'main.ts'), "const from: string = 'sources';\nconsole.log(from);\n");
  writeFileSync(join(pkg, 'dist', 'main.js'), "console.log('dist');\n");
  return { packages, pkg };
}

/** What the launcher prints for `pkg` in a fresh plain-node process. */
const launched = (w: { packages: string; pkg: string }): string =>
  execFileSync(process.execPath, ['--input-type=module', '-e', `const { launch } = await import(${JSON.stringify(LAUNCH)}); await launch(${JSON.stringify(w.pkg)}, ${JSON.stringify(w.packages)});`], {
    encoding: 'utf8',
    env: { ...process.env, RL_LOG_LEVEL: 'silent' },
  }).trim();

describe('the workspace launcher (scripts/launch.mjs, behind every bin)', () => {
  it('runs dist/ when it was built from the sources as they are', () => {
    const w = workspace('fresh');
    writeFileSync(join(w.pkg, STAMP), inputsHash(w.pkg) + '\n');
    expect(launched(w)).toBe('dist');
  });

  it('runs the TypeScript sources when a source changed since the build: the edit takes effect', () => {
    const w = workspace('edited');
    writeFileSync(join(w.pkg, STAMP), inputsHash(w.pkg) + '\n');
    writeFileSync(join(w.pkg, 'src', 'main.ts'), "const from: string = 'edited sources';\nconsole.log(from);\n");
    expect(launched(w)).toBe('edited sources');
  });

  it('runs the sources when there is no build, or a package.json changed', () => {
    const w = workspace('unbuilt');
    expect(launched(w)).toBe('sources');
    writeFileSync(join(w.pkg, STAMP), inputsHash(w.pkg) + '\n');
    expect(launched(w)).toBe('dist');
    writeFileSync(join(w.pkg, 'package.json'), JSON.stringify({ name: 'a', type: 'module', exports: './dist/main.js' }));
    expect(launched(w)).toBe('sources');
  });
});

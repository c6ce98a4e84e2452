/**
 * loadEnvModule in real Node processes (vitest's own module runner bypasses Node's resolution
 * hooks): user modules in a temp dir outside any project, TypeScript and JavaScript, and every
 * way one can be wrong.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const work = mkdtempSync(join(tmpdir(), 'rl-env-module-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A one-dimensional walk to the origin, as a user writes it (TypeScript, or the same as JavaScript). */
const envSource = (id: string, ts: boolean): string => `import { Box, Discrete, register${ts ? ', type Env, type StepResult' : ''} } from '@rl/env';
class Walk${ts ? ' implements Env<number>' : ''} {
  readonly id = ${JSON.stringify(id)};
  readonly observationSpace = new Box(-1, 1, [1]);
  readonly actionSpace = new Discrete(2);
  private x = 0;
  get unwrapped()${ts ? ': Env<number>' : ''} { return this; }
  reset() { this.x = 0.5; return { obs: Float32Array.of(this.x), info: {} }; }
  step(a${ts ? ': number' : ''})${ts ? ': StepResult' : ''} {
    this.x += a === 1 ? 0.1 : -0.1;
    return { obs: Float32Array.of(this.x), reward: -Math.abs(this.x), terminated: Math.abs(this.x) < 0.05, truncated: false, info: {} };
  }
  close() {}
}
register(${JSON.stringify(id)}, { entryPoint: () => new Walk(), maxEpisodeSteps: 30 });
`.replace(/readonly |private /g, ts ? (m) => m : () => '');

function write(rel: string, text: string): string {
  const p = join(work, rel);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, text);
  return p;
}

/** Runs `calls` (each `[path, expect?, resolveFrom?]`) through loadEnvModule in one child process and returns what each gave. */
function loadInChild(calls: readonly (readonly [string, string?, string?])[], cwd = work): { ok?: { path: string; ids: string[] }; error?: string; name?: string }[] {
  const script = write(
    `child-${Math.random().toString(36).slice(2)}.mjs`,
    `const { loadEnvModule } = await import(${JSON.stringify(pathToFileURL(join(import.meta.dirname, 'env_module.ts')).href)});
const { make } = await import(${JSON.stringify(pathToFileURL(join(import.meta.dirname, 'index.ts')).href)});
const out = [];
for (const [path, expect, resolveFrom] of ${JSON.stringify(calls.map(([p, e, f]) => [p, e ?? null, f ?? null]))}) {
  try {
    const m = await loadEnvModule(path, { ...(expect === null ? {} : { expect }), ...(resolveFrom === null ? {} : { resolveFrom }) });
    if (m.ids.length) make(m.ids[0]).reset();
    out.push({ ok: { path: m.path, ids: m.ids } });
  } catch (e) {
    out.push({ error: e.message, name: e.name });
  }
}
console.log(JSON.stringify(out));`,
  );
  const tsx = pathToFileURL(join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href; // as `node --import tsx` in the repo
  const r = spawnSync(process.execPath, ['--conditions=source', '--import', tsx, script], { cwd, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as ReturnType<typeof loadInChild>;
}

describe('loadEnvModule', () => {
  it('imports a TypeScript and a JavaScript module from a directory with no package.json or node_modules; loading again is a no-op', () => {
    const ts = write('loose/walk.ts', envSource('WalkTs-v0', true));
    write('loose/walk-js.js', envSource('WalkJs-v0', false));
    const r = loadInChild([[ts, 'WalkTs-v0'], ['loose/walk-js.js'], [ts, 'WalkTs-v0'], [join(work, 'loose', '.', 'walk.ts')]]);
    expect(r).toEqual([
      { ok: { path: ts, ids: ['WalkTs-v0'] } },
      { ok: { path: join(work, 'loose', 'walk-js.js'), ids: ['WalkJs-v0'] } }, // relative to the current directory
      { ok: { path: ts, ids: ['WalkTs-v0'] } },
      { ok: { path: ts, ids: ['WalkTs-v0'] } },
    ]);
  });

  it('resolves the other @rl packages a module outside any project imports, beside a second fallback location', () => {
    const uses = write('loose/uses-trainer.ts', `${envSource('Ck-v0', true)}import { checkpointName } from '@rl/trainer/checkpoint';\nexport const first: string = checkpointName(0);\n`);
    const trainer = pathToFileURL(join(ROOT, 'packages', 'trainer', 'src', 'index.ts')).href;
    expect(loadInChild([[uses, 'Ck-v0', trainer]])).toEqual([{ ok: { path: uses, ids: ['Ck-v0'] } }]);
  });

  it('loads the TypeScript files an env module imports as ES modules too', () => {
    write('split/physics.ts', `import { Box } from '@rl/env';\nexport const space = (): Box => new Box(-1, 1, [1]);\nexport const STEP: number = 0.1;\n`);
    const main = write(
      'split/env.ts',
      envSource('Split-v0', true).replace("import { Box, ", "import { space, STEP } from './physics.js';\nimport { ").replace('new Box(-1, 1, [1])', 'space()').replace(/0\.1 : -0\.1/, 'STEP : -STEP'),
    );
    expect(loadInChild([[main, 'Split-v0']])).toEqual([{ ok: { path: main, ids: ['Split-v0'] } }]);
  });

  it('names the file and what is wrong: missing, a directory, a throw on import, nothing registered, another id, an id taken', () => {
    const nothing = write('bad/nothing.ts', `export const x: number = 1;\n`);
    const throws = write('bad/throws.js', `throw new Error('the physics table is missing');\n`);
    const other = write('bad/other.js', envSource('Other-v0', false));
    const taken = write('bad/taken.js', envSource('CartPole-v1', false));
    const missing = join(work, 'bad', 'missing.ts');
    const r = loadInChild([[missing], [join(work, 'bad')], [throws], [nothing], [nothing, 'Mine-v0'], [other, 'Mine-v0'], [taken]]);
    expect(r.map((x) => x.name)).toEqual(Array(7).fill('EnvModuleError'));
    const errors = r.map((x) => x.error);
    expect(errors[0]).toBe(`env module ${missing}: no such file`);
    expect(errors[1]).toMatch(new RegExp(`^env module ${join(work, 'bad')}: is a directory`));
    expect(errors[2]).toBe(`env module ${throws}: cannot import it: the physics table is missing`);
    expect(errors[3]).toMatch(new RegExp(`^env module ${nothing}: registers no env: importing it must call register\\(id, …\\) of @rl/env, the copy this process uses \\(.*packages/env/src/\\); registered ids: CartPole-v1, `));
    expect(errors[4]).toMatch(/registers no env: importing it must call register\("Mine-v0", …\)/);
    expect(errors[5]).toBe(`env module ${other}: registers Other-v0, not env id "Mine-v0"`);
    expect(errors[6]).toMatch(new RegExp(`^env module ${taken}: cannot import it: register: env id "CartPole-v1" is already registered \\(either another module registers the same id, or this module was loaded a second time`));
  });
});

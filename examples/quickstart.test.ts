import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');

describe("the README's thirty-second example", () => {
  it('is the code in examples/quickstart.ts, word for word', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const block = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    const source = readFileSync(join(here, 'quickstart.ts'), 'utf8');
    expect(block).toBeDefined();
    // The README shows the example without its first comment line.
    expect(source.split('\n').slice(1).join('\n').trim()).toBe(block!.trim());
  });

  it('runs: a batched rollout, then REINFORCE reaches mean return 195 on CartPole-v1', () => {
    // as the README says to run a script: `pnpm tsx FILE.ts` (the root package.json's tsx script)
    const out = execFileSync('pnpm', ['tsx', 'examples/quickstart.ts'], {
      cwd: root,
      env: { ...process.env, RL_LOG_LEVEL: 'silent' },
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(out).toMatch(/\[ 128, 64, 4 \] \d+ episodes finished/);
    const m = /targetReturn (\d+) env steps, mean return ([\d.]+)/.exec(out);
    expect(m, out).not.toBeNull();
    expect(Number(m![2])).toBeGreaterThanOrEqual(195);
  });
});

import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));

describe('examples/custom-env.ts: a user env of its own, registered, checked and trained', () => {
  it('runs as a process: checkEnv finds nothing, and the trained policy beats random actions past the threshold', () => {
    const out = execFileSync(process.execPath, ['--conditions=source', '--import', 'tsx', join(here, 'custom-env.ts')], {
      cwd: join(here, '..'),
      env: { ...process.env, RL_LOG_LEVEL: 'silent' },
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(out).toMatch(/^checkEnv findings: none$/m);
    const random = Number(/random actions: mean return (-?[\d.]+) over 64 episodes/.exec(out)?.[1]);
    const m = /trained: (\w+) after (\d+) env steps .*greedy policy: mean return (-?[\d.]+) over 64 episodes/.exec(out);
    expect(m, out).not.toBeNull();
    const threshold = -5; // Reach-v0's registered rewardThreshold
    expect(random, out).toBeLessThan(threshold * 2); // random actions are far below it (about −30)
    expect(m![1]).toBe('targetReturn'); // training stopped because the recent episodes reached it
    expect(Number(m![3]), out).toBeGreaterThanOrEqual(threshold); // and the greedy policy holds it on fresh seeds
  });
});

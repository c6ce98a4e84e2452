import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

const SETUP = join(import.meta.dirname, 'setup.mjs');

/** `node scripts/setup.mjs --check` (reports, never installs) with this environment. */
const check = (env: NodeJS.ProcessEnv) => spawnSync(process.execPath, [SETUP, '--check'], { encoding: 'utf8', env });

describe('npm run setup: the system packages the test suite needs', () => {
  it('are all present on a machine set up by it (this one)', () => {
    const r = check(process.env);
    expect(r.stdout).toMatch(/chromium +ok/);
    expect(r.stdout).toMatch(/nats-server +ok/);
    expect(r.stdout).toMatch(/libvulkan1 +ok/);
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });

  it('when some are missing: names them, prints the one apt command that installs them, exits 1', () => {
    // a PATH without nats-server (Debian puts it in /usr/sbin), and a Chromium that is not there
    const r = check({ PATH: [dirname(process.execPath), '/usr/bin', '/bin'].join(':'), CHROMIUM_PATH: '/nonexistent/chromium' });
    expect(r.stdout).toMatch(/chromium +MISSING/);
    expect(r.stdout).toMatch(/nats-server +MISSING/);
    expect(r.stderr).toContain('sudo apt-get update && sudo apt-get install -y --no-install-recommends chromium nats-server\n');
    expect(r.status).toBe(1);
  });
});

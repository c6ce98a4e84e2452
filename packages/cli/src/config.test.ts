import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { envConfigFile, layerConfig, readConfigFile } from './config.js';
import { deepMerge } from '@rl/trainer';

const dir = mkdtempSync(join(tmpdir(), 'rl-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('config layering', () => {
  writeFileSync(join(dir, 'CartPole-v1.yaml'), '# tuned defaults\nlr: 0.003\nnumEnvs: 32\nhidden: [32, 32]\n');
  writeFileSync(join(dir, 'Pendulum-v1.json'), '{ "$comment": "tuned", "lr": 0.0005, "numEnvs": 64 }');
  writeFileSync(join(dir, 'mine.yml'), 'env: Pendulum-v1\nnumEnvs: 8\ngamma: 0.95\n');

  it('reads YAML and JSON files and finds the env default file by id', () => {
    expect(readConfigFile(join(dir, 'CartPole-v1.yaml'))).toEqual({ lr: 0.003, numEnvs: 32, hidden: [32, 32] });
    expect(envConfigFile('CartPole-v1', dir)).toBe(join(dir, 'CartPole-v1.yaml'));
    expect(envConfigFile('Pendulum-v1', dir)).toBe(join(dir, 'Pendulum-v1.json'));
    expect(envConfigFile('Acrobot-v1', dir)).toBeUndefined();
    expect(envConfigFile('../etc/passwd', dir)).toBeUndefined();
  });

  it('configs/<env> < --config FILE < flags; the env comes from the flag, else the file, else the fallback', () => {
    expect(layerConfig({ lr: 0.01 }, undefined, 'CartPole-v1', deepMerge, dir)).toEqual({
      envFile: join(dir, 'CartPole-v1.yaml'),
      partial: { lr: 0.01, numEnvs: 32, hidden: [32, 32] },
    });
    expect(layerConfig({ seed: 3 }, join(dir, 'mine.yml'), 'CartPole-v1', deepMerge, dir)).toEqual({
      envFile: join(dir, 'Pendulum-v1.json'),
      userFile: join(dir, 'mine.yml'),
      partial: { env: 'Pendulum-v1', lr: 0.0005, numEnvs: 8, gamma: 0.95, seed: 3 },
    });
    expect(layerConfig({ env: 'Acrobot-v1' }, join(dir, 'mine.yml'), 'CartPole-v1', deepMerge, dir).partial).toEqual({ env: 'Acrobot-v1', numEnvs: 8, gamma: 0.95 });
  });
});

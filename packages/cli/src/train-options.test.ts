import { trainConfigSchema, DEFAULT_CONFIG, schemaFlags } from '@rl/trainer';
import { describe, expect, it } from 'vitest';

import { HIDDEN_FIELDS, helpEnv, trainerOptions } from './train-options.js';

describe('rl train flags from the trainer schema', () => {
  const flags = schemaFlags(trainConfigSchema, HIDDEN_FIELDS);

  it('every trainer field is a flag with a help line from the schema (a new field without .describe() fails here)', () => {
    const fields = Object.keys(trainConfigSchema.shape).filter((k) => !HIDDEN_FIELDS.includes(k));
    expect(flags.map((f) => f.path.join('.')).sort()).toEqual(fields.sort());
    for (const f of flags) expect(f.description, `trainConfigSchema.${f.path.join('.')} has no .describe()`).toBeTruthy();
    const opts = trainerOptions(flags, DEFAULT_CONFIG as unknown as Record<string, unknown>, 'No-such-env-v0');
    expect(opts.find((o) => o.long === '--gamma')!.description).toContain('Discount γ.');
  });

  it('options parse values the schema accepts and state their default', () => {
    const opts = trainerOptions(flags, DEFAULT_CONFIG as unknown as Record<string, unknown>, 'No-such-env-v0');
    const by = (name: string) => opts.find((o) => o.long === `--${name}`)!;
    expect(by('num-envs').parseArg!('32', undefined)).toBe(32);
    expect(by('hidden').parseArg!('32,16', undefined)).toEqual([32, 16]);
    expect(by('normalize-obs').parseArg!('true', undefined)).toBe(true);
    expect(by('gamma').description).toContain('(default: 0.99)');
    expect(by('workers').parseArg!('auto', undefined)).toBe('auto');
    expect(by('workers').parseArg!('2', undefined)).toBe(2);
    expect(by('update-workers').parseArg!('auto', undefined)).toBe('auto');
    expect(by('update-workers').parseArg!('2', undefined)).toBe(2);
    expect(by('update-workers').description).toContain('(default: auto)');
    expect(by('baseline').argChoices).toEqual(['none', 'mean', 'ema', 'value', 'gae']);
    expect(helpEnv(['train', '--env', 'Pendulum-v1'])).toBe('Pendulum-v1');
    expect(helpEnv(['train', '--env=Acrobot-v1'])).toBe('Acrobot-v1');
    expect(helpEnv(['train'])).toBe('CartPole-v1');
  });
});

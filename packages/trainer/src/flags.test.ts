import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { deepMerge, flagHelp, parseFlagValue, schemaFlags, setPath } from './flags.js';

const schema = z.object({
  envId: z.string().default('CartPole-v1').describe('Gymnasium id'),
  lr: z.number().positive().max(1).default(0.01).describe('learning rate'),
  numEnvs: z.number().int().min(1).default(16),
  baseline: z.enum(['none', 'mean', 'value']).default('mean'),
  normalizeAdvantages: z.boolean().default(true),
  policy: z.object({ hidden: z.array(z.number().int()).default([64, 64]), activation: z.enum(['tanh', 'relu']).default('tanh') }).default({ hidden: [64, 64], activation: 'tanh' }),
  seed: z.number().int().optional(),
});

describe('schemaFlags', () => {
  const flags = schemaFlags(schema);
  const by = (f: string) => flags.find((x) => x.flag === f)!;

  it('makes one kebab-case flag per leaf field with kind, default, bounds and description', () => {
    expect(flags.map((f) => f.flag)).toEqual(['env-id', 'lr', 'num-envs', 'baseline', 'normalize-advantages', 'policy-hidden', 'policy-activation', 'seed']);
    expect(by('lr')).toMatchObject({ kind: 'number', defaultValue: 0.01, max: 1, description: 'learning rate' });
    expect(by('num-envs')).toMatchObject({ kind: 'int', defaultValue: 16, min: 1, minInclusive: true });
    expect(flagHelp(by('num-envs'))).toBe('≥ 1; (default: 16)');
    expect(by('baseline')).toMatchObject({ kind: 'enum', choices: ['none', 'mean', 'value'], defaultValue: 'mean' });
    expect(by('policy-hidden')).toMatchObject({ kind: 'number[]', path: ['policy', 'hidden'], defaultValue: [64, 64] });
    expect(by('seed').defaultValue).toBeUndefined();
    expect(flagHelp(by('lr'))).toBe('learning rate; > 0 and ≤ 1; (default: 0.01)');
  });

  it('leaves out excluded paths', () => {
    expect(schemaFlags(schema, ['envId', 'policy.activation']).map((f) => f.flag)).not.toContain('env-id');
    expect(schemaFlags(schema, ['envId', 'policy.activation']).map((f) => f.flag)).not.toContain('policy-activation');
  });

  it('parses flag text into schema values and rejects bad text with a message', () => {
    expect(parseFlagValue(by('lr'), '0.5')).toBe(0.5);
    expect(parseFlagValue(by('policy-hidden'), '32,32')).toEqual([32, 32]);
    expect(parseFlagValue(by('normalize-advantages'), 'false')).toBe(false);
    expect(() => parseFlagValue(by('lr'), 'abc')).toThrow('"abc" is not a number');
    expect(() => parseFlagValue(by('normalize-advantages'), 'maybe')).toThrow('not a boolean');
  });
});

describe('setPath and deepMerge', () => {
  it('layers nested records, later sources winning, arrays replaced', () => {
    const flags: Record<string, unknown> = {};
    setPath(flags, ['policy', 'hidden'], [8]);
    const merged = deepMerge({ lr: 1, policy: { hidden: [64, 64], activation: 'tanh' } }, { lr: 2 }, flags);
    expect(merged).toEqual({ lr: 2, policy: { hidden: [8], activation: 'tanh' } });
  });
});

import { mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { appendMetrics, readMetrics, truncateMetrics } from './metrics.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
const file = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'rl-metrics-'));
  dirs.push(d);
  return join(d, 'metrics.jsonl');
};

describe('metrics.jsonl', () => {
  it('appends one line per iteration and reads them back', () => {
    const p = file();
    for (let i = 1; i <= 3; i++) appendMetrics(p, { iteration: i, envSteps: i * 10, wallSeconds: i, returnMean: i * 2 });
    expect(readMetrics(p).map((r) => r.returnMean)).toEqual([2, 4, 6]);
    expect(readFileSync(p, 'utf8').split('\n')).toHaveLength(4);
  });

  it('rejects gaps, duplicates and bad JSON naming file and line', () => {
    const p = file();
    writeFileSync(p, '{"iteration":1}\n{"iteration":1}\n');
    expect(() => readMetrics(p)).toThrow(`${p}: line 2 has iteration 1, expected 2`);
    writeFileSync(p, '{"iteration":1}\nnot json\n');
    expect(() => readMetrics(p)).toThrow(`${p}: line 2 is not valid JSON`);
    writeFileSync(p, '{"iteration":1}\n{"iter');
    expect(() => readMetrics(p)).toThrow(`${p}: line 2 is not terminated`);
    expect(readMetrics(p, { tornTail: true })).toHaveLength(1);
  });

  it('truncates back to a checkpoint iteration, dropping a torn tail', () => {
    const p = file();
    for (let i = 1; i <= 5; i++) appendMetrics(p, { iteration: i, envSteps: i, wallSeconds: 0 });
    appendFileSync(p, '{"iteration":6,"envS');
    expect(truncateMetrics(p, 3)).toHaveLength(3);
    expect(readMetrics(p).map((r) => r.iteration)).toEqual([1, 2, 3]);
    expect(() => truncateMetrics(p, 4)).toThrow('holds 3 iterations but the checkpoint is at iteration 4');
  });
});

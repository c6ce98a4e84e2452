import { mkdtempSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listCheckpoints, readCheckpoint, readLatestCheckpoint, removeTempCheckpoints, writeCheckpoint } from './checkpoint.js';

const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'rl-ckpt-'));
  dirs.push(d);
  return d;
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('checkpoints', () => {
  it('writes, lists, reads back and keeps only the newest k', () => {
    const dir = join(tmp(), 'checkpoints');
    for (let i = 0; i <= 5; i++) writeCheckpoint(dir, { iteration: i, envSteps: i * 100, wallSeconds: i / 10 }, { w: new Float32Array([i, i + 0.5]) }, 3);
    expect(listCheckpoints(dir).map((c) => c.iteration)).toEqual([3, 4, 5]);
    expect(readdirSync(dir).filter((n) => n.startsWith('.tmp'))).toEqual([]);
    const last = readLatestCheckpoint(dir);
    expect(last).toMatchObject({ iteration: 5, envSteps: 500, wallSeconds: 0.5 });
    expect(Array.from((last.state as { w: Float32Array }).w)).toEqual([5, 5.5]);
  });

  it('ignores and removes temporary directories of an interrupted write', () => {
    const dir = join(tmp(), 'checkpoints');
    writeCheckpoint(dir, { iteration: 1, envSteps: 1, wallSeconds: 0 }, { a: 1 }, 2);
    mkdirSync(join(dir, '.tmp-ckpt-00000002-999'));
    writeFileSync(join(dir, '.tmp-ckpt-00000002-999', 'checkpoint.json'), '{"form');
    expect(readLatestCheckpoint(dir).iteration).toBe(1);
    removeTempCheckpoints(dir);
    expect(readdirSync(dir)).toEqual(['ckpt-00000001']);
  });

  it('names the corrupt or missing file', () => {
    const dir = join(tmp(), 'checkpoints');
    const c = writeCheckpoint(dir, { iteration: 2, envSteps: 1, wallSeconds: 0 }, { w: new Float64Array(4) }, 2);
    writeFileSync(join(c, 'state.bin'), Buffer.alloc(32, 1));
    expect(() => readCheckpoint(c)).toThrow(`${join(c, 'state.bin')}: corrupt checkpoint data (sha256 mismatch`);
    writeFileSync(join(c, 'state.bin'), Buffer.alloc(3));
    expect(() => readCheckpoint(c)).toThrow(`${join(c, 'state.bin')}: 3 bytes, expected 32`);
    writeFileSync(join(c, 'checkpoint.json'), '{"format":');
    expect(() => readCheckpoint(c)).toThrow(`${join(c, 'checkpoint.json')}: not valid JSON`);
    rmSync(join(c, 'checkpoint.json'));
    expect(() => readCheckpoint(c)).toThrow(`${join(c, 'checkpoint.json')}: file missing`);
    expect(() => readLatestCheckpoint(join(dir, 'nope'))).toThrow('no checkpoint found');
  });
});

import { mkdtempSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CheckpointError, listCheckpoints, moveAsideCheckpoint, readCheckpoint, readLatestCheckpoint, readNewestIntactCheckpoint, removeTempCheckpoints, writeCheckpoint } from './checkpoint.js';
import { truncateSync } from 'node:fs';

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

  it('readNewestIntactCheckpoint falls back past truncated or corrupt newer ones; moveAsideCheckpoint keeps them under a name no listing counts', () => {
    const dir = join(tmp(), 'checkpoints');
    for (let i = 1; i <= 3; i++) writeCheckpoint(dir, { iteration: i, envSteps: i * 10, wallSeconds: i }, { w: new Float64Array([i]) }, 5);
    truncateSync(join(dir, 'ckpt-00000003', 'state.bin'), 3);
    writeFileSync(join(dir, 'ckpt-00000002', 'checkpoint.json'), '{"format"');
    const { checkpoint, skipped } = readNewestIntactCheckpoint(dir);
    expect(checkpoint.iteration).toBe(1);
    expect(skipped.map((s) => s.dir)).toEqual([join(dir, 'ckpt-00000003'), join(dir, 'ckpt-00000002')]);
    expect(skipped[0]!.error.message).toMatch(/ckpt-00000003\/state\.bin: 3 bytes, expected 8 \(truncated or corrupt\)/);
    expect(skipped[1]!.error.message).toMatch(/ckpt-00000002\/checkpoint\.json: not valid JSON/);
    const moved = moveAsideCheckpoint(skipped[0]!.dir);
    expect(moved).toBe(join(dir, '.bad-ckpt-00000003'));
    expect(listCheckpoints(dir).map((c) => c.iteration)).toEqual([1, 2]);
    // a new checkpoint at that iteration is written (not skipped as existing), and a second bad one gets its own name
    writeCheckpoint(dir, { iteration: 3, envSteps: 30, wallSeconds: 3 }, { w: new Float64Array([3]) }, 5);
    expect(readCheckpoint(join(dir, 'ckpt-00000003')).iteration).toBe(3);
    expect(moveAsideCheckpoint(join(dir, 'ckpt-00000003'))).toBe(join(dir, '.bad-ckpt-00000003-2'));
    expect(readdirSync(dir).sort()).toEqual(['.bad-ckpt-00000003', '.bad-ckpt-00000003-2', 'ckpt-00000001', 'ckpt-00000002']);
    writeFileSync(join(dir, 'ckpt-00000001', 'state.bin'), 'x');
    expect(() => readNewestIntactCheckpoint(dir)).toThrow(CheckpointError);
    expect(() => readNewestIntactCheckpoint(dir)).toThrow(/no intact checkpoint \(.*ckpt-00000002.*; .*ckpt-00000001/);
  });
});

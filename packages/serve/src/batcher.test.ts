import { describe, expect, it } from 'vitest';
import { BatcherClosedError, MicroBatcher } from './batcher.js';

/** A forward pass that is a real function of its rows: the row sum, and which mode ran. */
function recorder() {
  const passes: { rows: number; deterministic: boolean }[] = [];
  const run = (rows: readonly (readonly number[])[], deterministic: boolean): string[] => {
    passes.push({ rows: rows.length, deterministic });
    return rows.map((r) => `${r.reduce((a, b) => a + b, 0)}:${deterministic ? 'd' : 's'}`);
  };
  return { passes, run };
}

describe('MicroBatcher', () => {
  it('coalesces concurrent requests into one pass and answers each with its own rows', async () => {
    const { passes, run } = recorder();
    const b = new MicroBatcher({ maxBatch: 64, maxWaitMs: 5, run });
    const results = await Promise.all([b.submit([[1, 2]], true), b.submit([[3], [4, 5]], true), b.submit([[10]], true)]);
    expect(results).toEqual([['3:d'], ['3:d', '9:d'], ['10:d']]);
    expect(passes).toEqual([{ rows: 4, deterministic: true }]);
  });

  it('runs as soon as maxBatch rows are queued, never splits a request, and runs an oversized one alone', async () => {
    const { passes, run } = recorder();
    const b = new MicroBatcher({ maxBatch: 4, maxWaitMs: 10_000, run });
    const rows = (n: number): number[][] => Array.from({ length: n }, (_, i) => [i]);
    const all = Promise.all([b.submit(rows(3), false), b.submit(rows(2), false), b.submit(rows(6), false), b.submit(rows(1), false)]);
    // With a 10 s wait, only the size trigger can answer these promptly.
    const out = await all;
    expect(out.map((r) => r.length)).toEqual([3, 2, 6, 1]);
    // 3 + 2 > 4 so the first two are separate passes; 6 > 4 runs alone; 1 follows.
    expect(passes.map((p) => p.rows)).toEqual([3, 2, 6, 1]);
  });

  it('keeps deterministic and sampled requests in separate passes', async () => {
    const { passes, run } = recorder();
    const b = new MicroBatcher({ maxBatch: 64, maxWaitMs: 2, run });
    const out = await Promise.all([b.submit([[1]], true), b.submit([[2]], false), b.submit([[3]], true)]);
    expect(out).toEqual([['1:d'], ['2:s'], ['3:d']]);
    expect(passes).toEqual([
      { rows: 2, deterministic: true },
      { rows: 1, deterministic: false },
    ]);
  });

  it('batches requests together only when their mode keys are equal (four modes of the server)', async () => {
    const passes: { key: string; rows: number }[] = [];
    const b = new MicroBatcher<string, string>({
      maxBatch: 64,
      maxWaitMs: 2,
      run: (rows, key) => {
        passes.push({ key, rows: rows.length });
        return rows.map((r) => `${r[0]}:${key}`);
      },
    });
    const keys = ['sample', 'mode+distribution', 'sample', 'mode', 'sample+distribution', 'mode+distribution'];
    const out = await Promise.all(keys.map((k, i) => b.submit([[i]], k)));
    expect(out).toEqual(keys.map((k, i) => [`${i}:${k}`]));
    expect(passes).toEqual([
      { key: 'sample', rows: 2 },
      { key: 'mode+distribution', rows: 2 },
      { key: 'mode', rows: 1 },
      { key: 'sample+distribution', rows: 1 },
    ]);
  });

  it('is off with maxBatch 1 or maxWaitMs 0: one pass per request', async () => {
    for (const o of [{ maxBatch: 1, maxWaitMs: 5 }, { maxBatch: 256, maxWaitMs: 0 }]) {
      const { passes, run } = recorder();
      const b = new MicroBatcher({ ...o, run });
      expect(b.enabled).toBe(false);
      await Promise.all([b.submit([[1]], true), b.submit([[2], [3]], true), b.submit([[4]], true)]);
      expect(passes.map((p) => p.rows)).toEqual([1, 2, 1]);
    }
  });

  it('reports every pass with its rows and requests', async () => {
    const seen: [number, number][] = [];
    const b = new MicroBatcher({ maxBatch: 8, maxWaitMs: 2, run: recorder().run, onBatch: (r, q) => seen.push([r, q]) });
    await Promise.all([b.submit([[1]], true), b.submit([[1], [2]], true)]);
    expect(seen).toEqual([[3, 2]]);
  });

  it('rejects every request of a failing pass and keeps serving the next ones', async () => {
    let fail = true;
    const b = new MicroBatcher({
      maxBatch: 8,
      maxWaitMs: 2,
      run: (rows: readonly (readonly number[])[]) => {
        if (fail) throw new Error('backend lost');
        return rows.map(() => 1);
      },
    });
    const r = await Promise.allSettled([b.submit([[1]], true), b.submit([[2]], true)]);
    expect(r.map((x) => x.status)).toEqual(['rejected', 'rejected']);
    expect(String((r[0] as PromiseRejectedResult).reason)).toContain('backend lost');
    fail = false;
    expect(await b.submit([[3]], true)).toEqual([1]);
  });

  it('rejects a pass that returns the wrong number of results', async () => {
    const b = new MicroBatcher({ maxBatch: 8, maxWaitMs: 1, run: () => [1] });
    await expect(b.submit([[1], [2]], true)).rejects.toThrow(/returned 1 results for 2 observations/);
  });

  it('flush() runs the queue at once and keeps taking requests', async () => {
    const { passes, run } = recorder();
    const b = new MicroBatcher({ maxBatch: 64, maxWaitMs: 60_000, run });
    const first = b.submit([[1], [2]], true);
    b.flush();
    expect(await first).toEqual(['1:d', '2:d']);
    const second = b.submit([[3]], true);
    b.flush();
    expect(await second).toEqual(['3:d']);
    expect(passes.map((p) => p.rows)).toEqual([2, 1]);
  });

  it('close() answers everything queued at once, then refuses new requests', async () => {
    const { passes, run } = recorder();
    const b = new MicroBatcher({ maxBatch: 64, maxWaitMs: 60_000, run });
    const queued = [b.submit([[1]], true), b.submit([[2]], false)];
    expect(b.pendingRows).toBe(2);
    await b.close();
    expect(await Promise.all(queued)).toEqual([['1:d'], ['2:s']]);
    expect(passes.length).toBe(2);
    await expect(b.submit([[3]], true)).rejects.toBeInstanceOf(BatcherClosedError);
  });
});

import { describe, expect, it } from 'vitest';
import { threadTimes } from './thread_time.js';

describe('threadTimes', () => {
  it('counts this thread\'s CPU time on Linux: busy work adds to it, and it never runs ahead of the wall clock (undefined elsewhere)', () => {
    if (process.platform !== 'linux') {
      expect(threadTimes()).toBeUndefined();
      return;
    }
    const a = threadTimes()!;
    const t0 = performance.now();
    let x = 0;
    while (performance.now() - t0 < 30) x += Math.sqrt(x + 1);
    const b = threadTimes()!;
    const wall = performance.now() - t0;
    expect(x).toBeGreaterThan(0);
    expect(b.cpuMs - a.cpuMs).toBeGreaterThan(0);
    // the kernel adds a running thread's time to schedstat at scheduler ticks (≥ 100 Hz), so a read lags by up to one tick
    const TICK_MS = 10;
    expect(b.cpuMs - a.cpuMs).toBeLessThanOrEqual(wall + TICK_MS);
    expect(b.waitMs).toBeGreaterThanOrEqual(a.waitMs);
    // on a CPU or waiting for one: together they cover the busy loop (up to the timer's granularity)
    expect(b.cpuMs - a.cpuMs + (b.waitMs - a.waitMs)).toBeGreaterThan(0.5 * wall - TICK_MS);
  });
});

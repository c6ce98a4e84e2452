/**
 * Per-thread CPU accounting from Linux's scheduler statistics (`/proc/thread-self/schedstat`):
 * the calling thread's time on a CPU and its time runnable but waiting for one (the run queue).
 * On a shared machine the second number says how much of a thread's wall time other processes
 * took: a scaling figure is only meaningful where it is small. `undefined` where the file does
 * not exist (not Linux, or a kernel without schedstats).
 */
import { readFileSync } from 'node:fs';

/** Cumulative scheduler times of the calling thread, in milliseconds. */
export interface ThreadTimes {
  /** Time on a CPU. */
  readonly cpuMs: number;
  /** Time runnable but waiting for a CPU (others had it). */
  readonly waitMs: number;
}

let available = true;

/**
 * The calling thread's cumulative {@link ThreadTimes} (nanosecond counters of the kernel,
 * read in one small file read, ~10 µs), or `undefined` where Linux's schedstat is missing.
 * @example
 * const a = threadTimes(); work(); const b = threadTimes();
 * if (a && b) console.log(`cpu ${b.cpuMs - a.cpuMs} ms, waited ${b.waitMs - a.waitMs} ms for a core`);
 */
export function threadTimes(): ThreadTimes | undefined {
  if (!available) return undefined;
  try {
    const [cpu, wait] = readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ');
    return { cpuMs: Number(cpu) / 1e6, waitMs: Number(wait) / 1e6 };
  } catch {
    available = false;
    return undefined;
  }
}

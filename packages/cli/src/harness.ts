/**
 * Test harness: runs the real `rl` binary (bin/rl.mjs) as a child process and fingerprints
 * directories, so tests can assert that a failed command changed nothing.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of the `rl` launcher. */
export const RL_BIN = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'rl.mjs');

/** What a finished `rl` child returned. */
export interface RlResult {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Environment of the children: console logging off unless a test asks for it. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, RL_LOG_LEVEL: 'silent', ...extra };
}

/** Runs `rl ...args` to completion. */
export function rlSync(args: readonly string[], opts: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {}): RlResult {
  const r = spawnSync(process.execPath, [RL_BIN, ...args], { cwd: opts.cwd, env: childEnv(opts.env), encoding: 'utf8', timeout: opts.timeoutMs ?? 120_000 });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** Runs `rl ...args` to completion without blocking the test process (so tests can run commands concurrently). */
export function rl(args: readonly string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<RlResult> {
  return rlSpawn(args, opts).done;
}

/** Starts `rl ...args` and returns the child (stdout/stderr collected into the returned strings). */
export function rlSpawn(args: readonly string[], opts: { cwd?: string; env?: Record<string, string> } = {}): { child: ChildProcess; done: Promise<RlResult> } {
  const child = spawn(process.execPath, [RL_BIN, ...args], { cwd: opts.cwd, env: childEnv(opts.env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<RlResult>((res) => child.on('close', (status, signal) => res({ status, signal, stdout, stderr })));
  return { child, done };
}

/**
 * Starts `rl serve …args` and resolves once it prints the URL it listens on. Rejects (after
 * killing the child) when it exits first or prints nothing within `timeoutMs`.
 */
export async function rlServe(args: readonly string[], opts: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<{ child: ChildProcess; done: Promise<RlResult>; url: string }> {
  const { child, done } = rlSpawn(['serve', ...args], { env: opts.env });
  let out = '';
  child.stdout!.on('data', (d: string) => (out += d));
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  for (;;) {
    const url = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
    if (url) return { child, done, url };
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      const r = await done;
      throw new Error(`rl serve printed no URL (exit ${r.status ?? r.signal}); stdout: ${out}; stderr: ${r.stderr}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A pid no process has now (a child that has exited): what a lock or temporary of a killed process names. */
export function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
}

/** sha256 of every file under `dir` by relative path (`{}` if it does not exist). */
export function fingerprint(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync(dir)) return out;
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) {
        out[`${relative(dir, p)}/`] = 'dir';
        walk(p);
      } else out[relative(dir, p)] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

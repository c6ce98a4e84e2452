/**
 * A throw-away `nats-server` on 127.0.0.1 with JetStream in a temp dir, on a free port: what
 * the tests and the benchmark run against (Debian's `nats-server` must be on PATH).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A running local server. */
export interface LocalNats {
  readonly url: string;
  readonly port: number;
  readonly process: ChildProcess;
  /** Stops the server and removes its store directory. */
  stop(): Promise<void>;
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * Starts `nats-server -a 127.0.0.1 -p PORT -js -sd DIR` and resolves once it accepts
 * connections; throws naming the binary when it is missing or does not come up in 10 s.
 */
export async function startLocalNats(bin = 'nats-server'): Promise<LocalNats> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'rl-nats-'));
  const child = spawn(bin, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    if (stderr.length < 20_000) stderr += d.toString();
  });
  const exited = new Promise<never>((_r, reject) => {
    child.once('error', (e) => reject(new Error(`cannot start ${bin} (install Debian's nats-server): ${e.message}`)));
    child.once('exit', (code) => reject(new Error(`${bin} exited with code ${code} before accepting connections:\n${stderr}`)));
  });
  const t0 = performance.now();
  const ready = (async () => {
    for (;;) {
      const ok = await new Promise<boolean>((resolve) => {
        const sock = tcpConnect(port, '127.0.0.1', () => {
          sock.destroy();
          resolve(true);
        });
        sock.once('error', () => resolve(false));
      });
      if (ok) return;
      if (performance.now() - t0 > 10_000) throw new Error(`${bin} did not accept connections on 127.0.0.1:${port} within 10 s:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  await Promise.race([ready, exited]);
  exited.catch(() => undefined);
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    process: child,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await gone;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

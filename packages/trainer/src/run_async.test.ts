/**
 * `Trainer.runAsync` in a process that does other work: a real HTTP server (node:http, port 0)
 * keeps answering while training runs, an AbortSignal stops training within one iteration, and
 * async hooks are awaited in order.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTrainer, train, type IterationMetrics } from './trainer.js';

let server: Server;
let url: string;
beforeAll(async () => {
  server = createServer((_req, res) => res.end('pong'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address() as { port: number };
  url = `http://127.0.0.1:${addr.port}/`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const cfg = { env: 'CartPole-v1', seed: 3, numEnvs: 8, stepsPerIter: 32, totalSteps: 100_000_000, backend: 'cpu', logLevel: 'silent' } as const;

describe('Trainer.runAsync', () => {
  it('an HTTP server in the same process answers while training runs; an AbortSignal stops it within one iteration', async () => {
    const trainer = await createTrainer(cfg);
    try {
      const ac = new AbortController();
      let iterationsAtAbort = -1;
      const run = trainer.runAsync({ signal: ac.signal });
      // requests while training: each is answered while the run is still going
      const answeredAt: number[] = [];
      for (let k = 0; k < 3; k++) {
        const body = await (await fetch(url)).text();
        expect(body).toBe('pong');
        answeredAt.push(trainer.iteration);
      }
      iterationsAtAbort = trainer.iteration;
      ac.abort();
      const result = await run;
      expect(result.reason).toBe('aborted');
      expect(answeredAt.at(-1)).toBeGreaterThan(0); // training had started and went on between the answers
      expect(answeredAt[2]).toBeGreaterThanOrEqual(answeredAt[0]!);
      expect(result.iterations - iterationsAtAbort).toBeLessThanOrEqual(1); // at most the iteration running when it was aborted
      expect(result.envSteps).toBe(result.iterations * 8 * 32);
    } finally {
      trainer.dispose();
    }
  });

  it('awaits async hooks in order and passes the trainer; run() refuses them; train() runs the same loop with its signal', async () => {
    const trainer = await createTrainer(cfg);
    try {
      const ac = new AbortController();
      const order: string[] = [];
      const r = await trainer.runAsync({
        signal: ac.signal,
        onIteration: async (m: IterationMetrics, t) => {
          order.push(`start ${m.iteration}`);
          await new Promise((res) => setTimeout(res, 5));
          expect(t).toBe(trainer);
          order.push(`end ${m.iteration}`);
          if (m.iteration === 3) ac.abort();
        },
      });
      expect(order).toEqual(['start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3']);
      expect(r).toMatchObject({ reason: 'aborted', iterations: 3 });
      expect(() => trainer.run({ onIteration: async () => undefined })).toThrow(/use runAsync\(\)/);
    } finally {
      trainer.dispose();
    }
    const ac2 = new AbortController();
    const { trainer: t2, result } = await train(cfg, { signal: ac2.signal, onIteration: (m) => (m.iteration === 2 ? ac2.abort() : undefined) });
    t2.dispose();
    expect(result).toMatchObject({ reason: 'aborted', iterations: 2 });
  });
});

import { describe, expect, it } from 'vitest';
import { defaultModelName, resolveServeOptions, SERVE_DEFAULTS, SERVE_OPTIONS } from './options.js';
import { parseServeFlag, serveFlags, serveFlagsHelp } from './flags.js';

describe('SERVE_OPTIONS: one record of the server options', () => {
  it('fills in every default from the record; maxRequestBatch follows maxBatch', () => {
    const r = resolveServeOptions({ policyDir: 'x' });
    expect(r).toEqual({ ...SERVE_DEFAULTS, maxRequestBatch: SERVE_DEFAULTS.maxBatch, modelName: 'x' });
    expect(SERVE_DEFAULTS).toMatchObject({ host: '127.0.0.1', port: 8080, maxBatch: 256, maxWaitMs: 1, deterministic: false });
    expect(resolveServeOptions({ policyDir: 'x', maxBatch: 16 }).maxRequestBatch).toBe(16);
    expect(resolveServeOptions({ policyDir: 'x', maxBatch: 16, maxRequestBatch: 4, port: 0 })).toMatchObject({ maxBatch: 16, maxRequestBatch: 4, port: 0 });
  });

  it('reports every bad option at once, unknown ones too', () => {
    const bad = { policyDir: 'x', port: -1, maxWaitMs: 'soon', modelName: 'a b', maxbatch: 3 } as unknown as Parameters<typeof resolveServeOptions>[0];
    const err = (() => {
      try {
        resolveServeOptions(bad);
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(RangeError);
    for (const m of [/port: Too small/, /maxWaitMs: Invalid input: expected number/, /modelName: must hold only letters, digits/, /maxbatch: Unrecognized key/]) expect(err!.message).toMatch(m);
  });

  it('the default model name: env id, else the directory name, made a path segment', () => {
    expect(defaultModelName({ envId: 'CartPole-v1', dir: 'runs/x' })).toBe('CartPole-v1');
    expect(defaultModelName({ envId: 'ALE/Pong-v5' })).toBe('ALE_Pong-v5');
    expect(defaultModelName({ dir: 'runs/cartpole-2026-12-01T10-00-00Z/' })).toBe('cartpole-2026-12-01T10-00-00Z');
    expect(defaultModelName({ dir: '/tmp/.hidden run' })).toBe('hidden_run');
    expect(defaultModelName({})).toBe('policy');
    expect(resolveServeOptions({ policyDir: 'runs/a' }, { envId: 'Pendulum-v1' }).modelName).toBe('Pendulum-v1');
  });
});

describe('flags from SERVE_OPTIONS', () => {
  it('one flag per flag option, with the record’s help and default', () => {
    const flags = serveFlags();
    expect(flags.map((f) => f.name)).toEqual(Object.entries(SERVE_OPTIONS).filter(([, s]) => s.flag).map(([k]) => k));
    const byName = Object.fromEntries(flags.map((f) => [f.name, f]));
    expect(byName.maxWaitMs).toMatchObject({ flag: '--max-wait-ms', arg: '<ms>', defaultText: '1' });
    expect(byName.modelName).toMatchObject({ flag: '--model-name', arg: '<name>', defaultText: SERVE_OPTIONS.modelName.defaultText });
    expect(byName.deterministic).toMatchObject({ flag: '--deterministic', arg: undefined, defaultText: 'false' });
    expect(byName.backend!.choices).toEqual(SERVE_OPTIONS.backend.choices);
    expect(serveFlagsHelp()).toMatch(/--port <port> +TCP port to listen on; 0 picks any free port; an integer from 0 to 65535 \(default: 8080\)/);
  });

  it('parses and checks flag values, naming the flag', () => {
    expect(parseServeFlag('port', '0')).toBe(0);
    expect(parseServeFlag('maxWaitMs', '2.5')).toBe(2.5);
    expect(parseServeFlag('deterministic', true)).toBe(true);
    expect(parseServeFlag('deterministic', 'false')).toBe(false);
    expect(parseServeFlag('backend', 'cpu')).toBe('cpu');
    expect(() => parseServeFlag('maxBatch', '0')).toThrow('--max-batch must be an integer from 1 to 1048576, got "0"');
    expect(() => parseServeFlag('port', 'http')).toThrow('--port must be an integer from 0 to 65535, got "http"');
    expect(() => parseServeFlag('port', '')).toThrow('--port must be');
    expect(() => parseServeFlag('backend', 'gpu')).toThrow('--backend must be one of auto, webgpu, tensorflow-gpu, tensorflow, wasm, cpu, got "gpu"');
    expect(() => parseServeFlag('modelName', 'a:predict')).toThrow(/--model-name must be letters, digits/);
  });
});

import { spawnSync } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { initTf, tf } from './index.js';

const here = dirname(fileURLToPath(import.meta.url));
const BANNER = /looks like you are running TensorFlow\.js in Node\.js/;

/** Runs CommonJS code in a fresh plain-node process in this directory (so it resolves this package's dependencies); its stdout and stderr. */
function runNode(code: string): { stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['-e', code], { cwd: here, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`node -e exited with ${r.status}: ${r.stderr}`);
  return { stdout: r.stdout, stderr: r.stderr };
}

describe("@rl/tf's tfjs (tfjs.cjs)", () => {
  it("never prints tfjs's Node banner on the cpu backend (tfjs alone does, with the same code)", () => {
    const use = `(async () => { await tf.setBackend('cpu'); const t = tf.tensor1d([1, 2]); console.log('sum', tf.sum(t).dataSync()[0]); })()`;
    const ours = runNode(`const tf = require('./tfjs.cjs'); ${use}`);
    expect(ours.stdout).toBe('sum 3\n');
    expect(ours.stderr).toBe('');
    // the control: tfjs-core and its cpu backend loaded directly print it, so the check above can fail
    const theirs = runNode(`const tf = require('@tensorflow/tfjs-core'); require('@tensorflow/tfjs-backend-cpu'); ${use}`);
    expect(theirs.stdout).toBe('sum 3\n');
    expect(theirs.stderr).toMatch(BANNER);
  });

  it('keeps the cpu backend the same class and priority, and tfjs warnings other than the banner on', async () => {
    await initTf({ backend: 'cpu' });
    expect(tf.getBackend()).toBe('cpu');
    expect(tf.engine().registryFactory.cpu?.priority).toBe(1);
    expect(tf.env().getBool('PROD')).toBe(false);
    expect(tf.env().getBool('IS_TEST')).toBe(false);
  });

  it('is tfjs-core and tfjs-layers in one namespace, with the wasm backend as tf.wasm and the versions', () => {
    expect(typeof tf.tensor).toBe('function');
    expect(typeof tf.sequential).toBe('function');
    expect(typeof tf.layers.dense).toBe('function');
    expect(typeof tf.wasm.setWasmPaths).toBe('function');
    expect(tf.version.tfjs).toBe('4.22.0');
    expect(tf.version['tfjs-layers']).toBe('4.22.0');
    expect(tf.version['tfjs-backend-wasm']).toBe('4.22.0');
  });
});

/**
 * A TensorFlow.js IO handler for a directory on disk (plain `@tensorflow/tfjs` in Node has no
 * `file://` handler). Writes and reads the standard Layers format: `model.json` (topology +
 * weights manifest) and one binary weights file, so the same directory loads with
 * `tf.loadLayersModel` over HTTP or through this handler.
 */
import { tf } from '@rl/tf';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileSynced } from './durable.js';

/** Name of the topology file. */
export const MODEL_JSON = 'model.json';
/** Name of the weights file. */
export const WEIGHTS_BIN = 'weights.bin';

function weightBytes(data: tf.io.WeightData): Uint8Array {
  if (Array.isArray(data)) {
    const total = data.reduce((n, b) => n + b.byteLength, 0);
    const out = new Uint8Array(total);
    let off = 0;
    for (const b of data) {
      out.set(new Uint8Array(b), off);
      off += b.byteLength;
    }
    return out;
  }
  return new Uint8Array(data as ArrayBuffer);
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

function readJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(`${what} ${path} cannot be read${code === 'ENOENT' ? ': file not found' : `: ${String(err)}`}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`${what} ${path} is not valid JSON: ${(err as Error).message}`);
  }
}

/** Reads and parses a JSON file; errors name the file (missing, unreadable, not JSON). */
export { readJson };

/**
 * An IO handler reading/writing a model in `dir` (which must exist for `save`).
 *
 * @example
 * await model.save(fileIO('/tmp/m'));
 * const m2 = await tf.loadLayersModel(fileIO('/tmp/m'));
 */
export function fileIO(dir: string): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer) throw new Error('fileIO: binary topologies are not supported');
      const weights = artifacts.weightData ? weightBytes(artifacts.weightData) : new Uint8Array(0);
      const modelJson: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology as object,
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: [`./${WEIGHTS_BIN}`], weights: artifacts.weightSpecs ?? [] }],
      };
      writeFileSynced(join(dir, WEIGHTS_BIN), weights);
      writeFileSynced(join(dir, MODEL_JSON), JSON.stringify(modelJson));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
    async load(): Promise<tf.io.ModelArtifacts> {
      const path = join(dir, MODEL_JSON);
      const json = readJson(path, 'model file') as Partial<tf.io.ModelJSON> | null;
      if (typeof json !== 'object' || json === null || typeof json.modelTopology !== 'object' || json.modelTopology === null) {
        throw new Error(`model file ${path} has no "modelTopology" object (not a TensorFlow.js Layers model.json)`);
      }
      if (!Array.isArray(json.weightsManifest)) throw new Error(`model file ${path} has no "weightsManifest" array`);
      const specs: tf.io.WeightsManifestEntry[] = [];
      const chunks: Uint8Array[] = [];
      for (const group of json.weightsManifest) {
        if (!group || !Array.isArray(group.paths) || !Array.isArray(group.weights)) throw new Error(`model file ${path}: a weightsManifest group lacks "paths" or "weights"`);
        specs.push(...group.weights);
        let expected = 0;
        for (const w of group.weights) {
          const bytes = BYTES[w.quantization?.dtype ?? w.dtype];
          if (!bytes || !Array.isArray(w.shape)) throw new Error(`model file ${path}: weight "${w.name}" has an unsupported dtype ${JSON.stringify(w.dtype)} or no shape`);
          expected += bytes * w.shape.reduce((a: number, b: number) => a * b, 1);
        }
        let got = 0;
        for (const p of group.paths) {
          const file = join(dir, p);
          let buf: Buffer;
          try {
            buf = readFileSync(file);
          } catch (err) {
            const code = (err as NodeJS.ErrnoException).code;
            throw new Error(`weights file ${file} (listed in ${path}) cannot be read${code === 'ENOENT' ? ': file not found' : `: ${String(err)}`}`);
          }
          chunks.push(buf);
          got += buf.length;
        }
        if (got !== expected) {
          throw new Error(`weights file(s) ${group.paths.map((p) => join(dir, p)).join(', ')} hold ${got} bytes, the manifest in ${path} needs ${expected} (truncated or corrupt)`);
        }
      }
      const total = chunks.reduce((n, c) => n + c.length, 0);
      const data = new Uint8Array(total);
      let off = 0;
      for (const c of chunks) {
        data.set(c, off);
        off += c.length;
      }
      return {
        modelTopology: json.modelTopology,
        weightSpecs: specs,
        weightData: data.buffer,
        ...(json.format !== undefined ? { format: json.format } : {}),
        ...(json.generatedBy !== undefined ? { generatedBy: json.generatedBy } : {}),
        ...(json.convertedBy !== undefined && json.convertedBy !== null ? { convertedBy: json.convertedBy } : {}),
      };
    },
  };
}

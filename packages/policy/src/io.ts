/**
 * A TensorFlow.js IO handler for a directory on disk (plain `@tensorflow/tfjs` in Node has no
 * `file://` handler). Writes and reads the standard Layers format: `model.json` (topology +
 * weights manifest) and one binary weights file, so the same directory loads with
 * `tf.loadLayersModel` over HTTP or through this handler.
 */
import { tf } from '@rl/tf';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { digestOf } from './digest.js';
import { writeFileSynced } from './durable.js';
import { checkDigest, checkFiniteWeights, concatBytes, type FileDigests } from './weights_check.js';

/** Name of the topology file. */
export const MODEL_JSON = 'model.json';
/** Name of the weights file. */
export const WEIGHTS_BIN = 'weights.bin';

function weightBytes(data: tf.io.WeightData): Uint8Array {
  return Array.isArray(data) ? concatBytes(data.map((b) => new Uint8Array(b))) : new Uint8Array(data as ArrayBuffer);
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

/** Reads a file whole; the error names it as `what` at `shown` (the cause keeps the fs error, e.g. ENOENT). */
function readBytes(path: string, what: string, shown = path): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(`${what} ${shown} cannot be read${code === 'ENOENT' ? ': file not found' : `: ${(err as Error).message}`}`, { cause: err });
  }
}

function parseJson(bytes: Uint8Array, path: string, what: string): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (err) {
    throw new Error(`${what} ${path} is not valid JSON: ${(err as Error).message}`);
  }
}

/** Reads and parses a JSON file; errors name the file, as `shown` when given (missing, unreadable, not JSON). */
export function readJson(path: string, what: string, shown = path): unknown {
  return parseJson(readBytes(path, what, shown), shown, what);
}

/** Options of {@link readModelArtifacts}. */
export interface ReadModelOptions {
  /** policy.json's `files`: each file's byte length and sha256 must match (files it does not list are not checked). */
  readonly files?: FileDigests;
  /** The directory named in errors (e.g. `runs/x/model` where `dir` is the version it links to); default `dir`. */
  readonly shownDir?: string;
}

/**
 * Reads a TensorFlow.js Layers model from `dir` (`model.json` and the weights files of its
 * manifest) and checks it: every file present, the weights as long as the manifest needs, each
 * file's digest when `opts.files` records one, every float32 weight finite. Errors name the file.
 */
export function readModelArtifacts(dir: string, opts: ReadModelOptions = {}): tf.io.ModelArtifacts {
  const shown = opts.shownDir ?? dir;
  const path = join(shown, MODEL_JSON);
  const jsonBytes = readBytes(join(dir, MODEL_JSON), 'model file', path);
  const json = parseJson(jsonBytes, path, 'model file') as Partial<tf.io.ModelJSON> | null;
  if (typeof json !== 'object' || json === null || typeof json.modelTopology !== 'object' || json.modelTopology === null) {
    throw new Error(`model file ${path} has no "modelTopology" object (not a TensorFlow.js Layers model.json)`);
  }
  if (!Array.isArray(json.weightsManifest)) throw new Error(`model file ${path} has no "weightsManifest" array`);
  const jd = digestOf(jsonBytes);
  checkDigest(path, jd.bytes, jd.sha256, opts.files?.[MODEL_JSON]);
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
    const groupChunks = group.paths.map((p) => readBytes(join(dir, p), 'weights file', `${join(shown, p)} (listed in ${path})`));
    const got = groupChunks.reduce((n, c) => n + c.length, 0);
    const files = group.paths.map((p) => join(shown, p)).join(', ');
    if (got !== expected) {
      throw new Error(`weights file(s) ${files} hold ${got} bytes, the manifest in ${path} needs ${expected} (truncated or corrupt)`);
    }
    group.paths.forEach((p, i) => {
      const d = digestOf(groupChunks[i]!);
      checkDigest(join(shown, p), d.bytes, d.sha256, opts.files?.[p.replace(/^\.\//, '')]);
    });
    checkFiniteWeights(group.weights, concatBytes(groupChunks), files);
    chunks.push(...groupChunks);
  }
  const data = concatBytes(chunks);
  return {
    modelTopology: json.modelTopology,
    weightSpecs: specs,
    weightData: data.buffer as ArrayBuffer,
    ...(json.format !== undefined ? { format: json.format } : {}),
    ...(json.generatedBy !== undefined ? { generatedBy: json.generatedBy } : {}),
    ...(json.convertedBy !== undefined && json.convertedBy !== null ? { convertedBy: json.convertedBy } : {}),
  };
}


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
      return readModelArtifacts(dir);
    },
  };
}

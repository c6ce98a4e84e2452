/**
 * What a loader checks of a saved model's bytes before it serves them, wherever they came from
 * (files in Node, a URL in a browser): each file's byte length and sha256 against the record in
 * policy.json (`files`), and that every float weight is finite. No Node built-ins: the browser
 * entry uses it.
 */
import type { tf } from '@rl/tf';

/** The byte length and sha256 (hex) of one file of a saved policy, as policy.json's `files` records them. */
export interface FileDigest {
  readonly bytes: number;
  readonly sha256: string;
}

/** policy.json's `files`: a digest per file name (`model.json`, `weights.bin`). */
export type FileDigests = Readonly<Record<string, FileDigest>>;

/**
 * A saved policy whose files are not what was saved: a byte length or sha256 that differs from
 * policy.json's record (`kind: 'digest'`), or weights that are NaN or infinite (`kind:
 * 'nonFinite'`). `file` is the path or URL of the file; the message names it and what differs.
 */
export class PolicyIntegrityError extends Error {
  override readonly name = 'PolicyIntegrityError';
  constructor(
    message: string,
    readonly file: string,
    readonly kind: 'digest' | 'nonFinite',
  ) {
    super(message);
  }
}

/** Throws a {@link PolicyIntegrityError} when `bytes` (the contents of `file`, whose policy.json name is `name`) differ from `expected`. */
export function checkDigest(file: string, bytes: number, sha256: string, expected: FileDigest | undefined): void {
  if (!expected) return;
  if (bytes !== expected.bytes) {
    throw new PolicyIntegrityError(`${file}: ${bytes} bytes, policy.json records ${expected.bytes} (truncated, corrupt or replaced); the policy is refused`, file, 'digest');
  }
  if (sha256 !== expected.sha256) {
    throw new PolicyIntegrityError(`${file}: sha256 ${sha256.slice(0, 16)}… differs from the ${expected.sha256.slice(0, 16)}… recorded in policy.json (corrupt or replaced); the policy is refused`, file, 'digest');
  }
}

/**
 * Throws a {@link PolicyIntegrityError} naming `file`, the weight and the index of the first
 * NaN or ±Infinity among the float32 weights of `data` (laid out as `specs`, the weights
 * manifest's order). Quantized and integer weights are not checked.
 */
export function checkFiniteWeights(specs: readonly tf.io.WeightsManifestEntry[], data: Uint8Array, file: string): void {
  let offset = 0;
  for (const w of specs) {
    const size = w.shape.reduce((a, b) => a * b, 1);
    const dtype = w.quantization?.dtype ?? w.dtype;
    const bytes = dtype === 'float32' || dtype === 'int32' ? 4 : dtype === 'uint16' || dtype === 'float16' ? 2 : 1;
    if (dtype === 'float32' && !w.quantization) {
      // copy only when unaligned (a Float32Array view needs a multiple of 4)
      const view = (data.byteOffset + offset) % 4 === 0 ? new Float32Array(data.buffer, data.byteOffset + offset, size) : new Float32Array(data.slice(offset, offset + size * 4).buffer);
      for (let i = 0; i < size; i++) {
        const v = view[i]!;
        if (v - v !== 0) {
          throw new PolicyIntegrityError(`${file}: weight "${w.name}" is ${v} at index ${i} of ${size} (non-finite weights: corrupt, or saved from a diverged run); the policy is refused`, file, 'nonFinite');
        }
      }
    }
    offset += size * bytes;
  }
}

/** The chunks as one array that owns its whole ArrayBuffer (what `weightData` must be). */
export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  const only = chunks.length === 1 ? chunks[0]! : undefined;
  if (only && only.byteOffset === 0 && only.byteLength === only.buffer.byteLength) return only;
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

/** The byte length and sha256 of a file of a saved policy (Node), as policy.json's `files` records them. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FileDigest } from './weights_check.js';

/** Byte length and sha256 (hex) of `bytes`. */
export function digestOf(bytes: Uint8Array): FileDigest {
  return { bytes: bytes.byteLength, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** Byte length and sha256 (hex) of the file at `path`. */
export function fileDigest(path: string): FileDigest {
  return digestOf(readFileSync(path));
}

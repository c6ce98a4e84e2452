/**
 * Loading a saved policy directory over HTTP — what a browser does with a run's `model/`
 * served by a static server: `policy.json` by `fetch`, `model.json` + weights by
 * `tf.loadLayersModel`. Each file's sha256 is checked against policy.json's record (with
 * WebCrypto, where the page has it: secure contexts such as localhost or https) and every
 * weight must be finite; the three files are separate requests, so a directory republished
 * between them (a run saving its model/ while a browser loads it) is loaded again, up to 3
 * times. No Node built-ins (works in Node 20 too, whose `fetch` and `crypto` are global).
 */
import { tf } from '@rl/tf';
import { parsePolicyFile, type ParsedPolicyFile } from './policy_file.js';
import { fromModel, type NetworkPolicyHandle } from './policy.js';
import { checkDigest, checkFiniteWeights, concatBytes, PolicyIntegrityError } from './weights_check.js';

/** Options of {@link loadPolicyFromUrl}. */
export interface LoadPolicyFromUrlOptions {
  /** Use the fused fast forward for `act` when possible; default true. */
  readonly fastPath?: boolean;
  /** `fetch` options (headers, credentials, an AbortSignal), used for every file. */
  readonly requestInit?: RequestInit;
}

/** The URL of `file` inside the directory `base` (a trailing `/` is added to `base` when missing). */
function fileUrl(base: string, file: string): string {
  const dir = base.endsWith('/') ? base : `${base}/`;
  const origin = (globalThis as { location?: { href?: string } }).location?.href;
  try {
    return new URL(file, origin ? new URL(dir, origin) : dir).href;
  } catch {
    throw new TypeError(`loadPolicyFromUrl: "${base}" is not a URL (expected e.g. http://127.0.0.1:5173/runs/cartpole/model/ or /runs/cartpole/model/)`);
  }
}

async function fetchJson(url: string, what: string, init: RequestInit | undefined): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, init);
  } catch (err) {
    throw new Error(`${what} ${url} could not be fetched: ${(err as Error).message}`, { cause: err });
  }
  if (!res.ok) throw new Error(`${what} ${url} could not be fetched: HTTP ${res.status} ${res.statusText}`.trimEnd());
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`${what} ${url} is not valid JSON: ${(err as Error).message}`);
  }
}

/**
 * Loads a policy directory (`policy.json`, `model.json`, weights) from a URL as a full
 * {@link NetworkPolicyHandle}. Every error names the URL that failed (not found, network
 * error, bad JSON, invalid policy file, weights that do not match the spaces).
 *
 * @example
 * const policy = await loadPolicyFromUrl('/runs/cartpole/model/');
 * const a = tf.tidy(() => policy.act(tf.tensor2d([[0, 0, 0, 0]]), { deterministic: true }));
 */
export async function loadPolicyFromUrl(
  url: string,
  opts: LoadPolicyFromUrlOptions = {},
): Promise<NetworkPolicyHandle & { readonly metadata: Record<string, unknown>; readonly file: ParsedPolicyFile; readonly url: string }> {
  const policyUrl = fileUrl(url, 'policy.json');
  const modelUrl = fileUrl(url, 'model.json');
  let file: ParsedPolicyFile;
  let model: tf.LayersModel;
  for (let attempt = 1; ; attempt++) {
    file = parsePolicyFile(await fetchJson(policyUrl, 'policy file', opts.requestInit), policyUrl);
    // Fetch model.json ourselves first: tfjs's own error for a 404 does not always name the URL.
    await fetchJson(modelUrl, 'model file', opts.requestInit);
    const fetched = new Map<string, ArrayBuffer>();
    const fetchFunc = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const res = await fetch(input, init);
      if (res.ok) fetched.set(absoluteUrl(input instanceof Request ? input.url : String(input)), await res.clone().arrayBuffer());
      return res;
    };
    try {
      model = await tf.loadLayersModel(tf.io.http(modelUrl, { ...(opts.requestInit ? { requestInit: opts.requestInit } : {}), fetchFunc }));
    } catch (err) {
      const msg = (err as Error).message;
      throw new Error(msg.includes(modelUrl) ? msg : `model ${modelUrl} could not be loaded: ${msg}`, { cause: err });
    }
    try {
      await checkFetched(fetched, modelUrl, file);
      break;
    } catch (err) {
      model.dispose();
      if (!(err instanceof PolicyIntegrityError) || err.kind !== 'digest' || attempt >= 3) throw err;
    }
  }
  let policy: NetworkPolicyHandle;
  try {
    policy = fromModel(model, file.observationSpace, file.actionSpace, {
      ...(file.logStd ? { logStdInit: file.logStd } : {}),
      ...(file.obsNorm ? { obsNorm: file.obsNorm } : {}),
      ...(file.rngState ? { rngState: file.rngState } : {}),
      ...(file.network ? { network: file.network } : {}),
      ...(opts.fastPath !== undefined ? { fastPath: opts.fastPath } : {}),
    });
  } catch (err) {
    model.dispose();
    throw new Error(`policy ${url}: ${modelUrl} does not match the spaces in ${policyUrl}: ${(err as Error).message}`, { cause: err });
  }
  const metadata = { ...file.metadata, distribution: file.distribution, versions: file.versions, savedAt: file.savedAt };
  return Object.assign(policy, { metadata, file, url });
}

/** `url` resolved and normalised (tfjs asks for `…/model/./weights.bin`), as the map of fetched files is keyed. */
function absoluteUrl(url: string): string {
  const origin = (globalThis as { location?: { href?: string } }).location?.href;
  return new URL(url, origin).href;
}

/** The sha256 (hex) of `bytes` with WebCrypto; undefined where the page has none (an insecure context). */
async function sha256Hex(bytes: ArrayBuffer): Promise<string | undefined> {
  const subtle = (globalThis as { crypto?: Crypto }).crypto?.subtle;
  if (!subtle) return undefined;
  return Array.from(new Uint8Array(await subtle.digest('SHA-256', bytes)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Checks what tfjs fetched for `modelUrl` (model.json and its weights files) against policy.json's digests, and that the weights are finite. */
async function checkFetched(fetched: ReadonlyMap<string, ArrayBuffer>, modelUrl: string, file: ParsedPolicyFile): Promise<void> {
  const check = async (name: string, url: string): Promise<ArrayBuffer | undefined> => {
    const bytes = fetched.get(url);
    if (!bytes) return undefined;
    const sha = await sha256Hex(bytes);
    if (sha !== undefined) checkDigest(url, bytes.byteLength, sha, file.files[name]);
    return bytes;
  };
  const json = await check('model.json', absoluteUrl(modelUrl));
  if (!json) return;
  const manifest = (JSON.parse(new TextDecoder().decode(json)) as tf.io.ModelJSON).weightsManifest ?? [];
  for (const group of manifest) {
    const parts: Uint8Array[] = [];
    for (const p of group.paths) {
      const bytes = await check(p.replace(/^\.\//, ''), new URL(p, modelUrl).href);
      if (bytes) parts.push(new Uint8Array(bytes));
    }
    if (parts.length !== group.paths.length) continue;
    checkFiniteWeights(group.weights, concatBytes(parts), group.paths.map((p) => new URL(p, modelUrl).href).join(', '));
  }
}

/**
 * Loading a saved policy directory over HTTP — what a browser does with a run's `model/`
 * served by a static server: `policy.json` by `fetch`, `model.json` + weights by
 * `tf.loadLayersModel`. No Node built-ins (works in Node 20 too, whose `fetch` is global).
 */
import { tf } from '@rl/tf';
import { parsePolicyFile, type ParsedPolicyFile } from './policy_file.js';
import { fromModel, type NetworkPolicyHandle } from './policy.js';

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
  const file = parsePolicyFile(await fetchJson(policyUrl, 'policy file', opts.requestInit), policyUrl);
  // Fetch model.json ourselves first: tfjs's own error for a 404 does not always name the URL.
  await fetchJson(modelUrl, 'model file', opts.requestInit);
  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel(tf.io.http(modelUrl, opts.requestInit ? { requestInit: opts.requestInit } : {}));
  } catch (err) {
    const msg = (err as Error).message;
    throw new Error(msg.includes(modelUrl) ? msg : `model ${modelUrl} could not be loaded: ${msg}`, { cause: err });
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

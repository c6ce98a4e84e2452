/**
 * Options of a policy server, written once: {@link SERVE_OPTIONS} gives each option its kind,
 * range, default and help text. The TypeScript types, the zod schema that checks them (every
 * bad field reported at once), the defaults, and the command-line flags of `rl serve` and
 * `bin/serve.mjs` (see flags.ts) are all derived from it.
 */
import { z } from 'zod';
import type { Logger } from 'pino';
import { BACKENDS } from '@rl/tf';
import type { ServablePolicy } from './policy.js';

/** What one option is: its kind and range, its default, and its help text. */
export type ServeOptionSpec = {
  /** One line of help (flags and docs). */
  readonly help: string;
  /** Also a command-line flag (`--kebab-case-name`); false for options only the API takes. */
  readonly flag: boolean;
  /** How the default is described when it is not a fixed value (derived or contextual). */
  readonly defaultText?: string;
} & (
  | { readonly kind: 'int' | 'number'; readonly min: number; readonly max: number; readonly default?: number }
  | { readonly kind: 'string'; readonly pattern?: RegExp; readonly patternText?: string; readonly maxLength?: number; readonly default?: string }
  | { readonly kind: 'boolean'; readonly default?: boolean }
  | { readonly kind: 'enum'; readonly choices: readonly string[]; readonly default?: string }
);

/** Characters of a model name: it is a path segment of `/v1/models/<name>`. */
export const MODEL_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Every option of {@link createServer} (besides the object-valued `policy` and `logger`). */
export const SERVE_OPTIONS = {
  policyDir: {
    kind: 'string',
    flag: false,
    help: 'directory of a saved policy, or a run directory made by rl train (its model/), loaded with loadPolicy',
  },
  host: { kind: 'string', default: '127.0.0.1', flag: true, help: 'interface to listen on' },
  port: { kind: 'int', min: 0, max: 65_535, default: 8080, flag: true, help: 'TCP port to listen on; 0 picks any free port' },
  modelName: {
    kind: 'string',
    pattern: MODEL_NAME_PATTERN,
    patternText: 'letters, digits, ".", "_" and "-", starting with a letter or digit',
    maxLength: 128,
    flag: true,
    defaultText: 'the env id in the policy\'s metadata, else the directory\'s name',
    help: 'name of the model in the TF Serving API (/v1/models/<name>)',
  },
  deterministic: {
    kind: 'boolean',
    default: false,
    flag: true,
    help: 'answer requests that do not say otherwise with the mode (argmax / mean) instead of a sample of the policy',
  },
  maxBatch: { kind: 'int', min: 1, max: 1 << 20, default: 256, flag: true, help: 'most observations coalesced into one forward pass; 1 turns micro-batching off' },
  maxWaitMs: {
    kind: 'number',
    min: 0,
    max: 60_000,
    default: 1,
    flag: true,
    help: 'longest wait (ms) of the first queued request for others to join its batch; 0 turns micro-batching off',
  },
  maxRequestBatch: {
    kind: 'int',
    min: 1,
    max: 1 << 20,
    flag: true,
    defaultText: 'the max batch',
    help: 'most observations one request may carry (more: 413)',
  },
  bodyLimit: { kind: 'int', min: 64, max: 1 << 30, default: 1 << 20, flag: true, help: 'largest request body in bytes (larger: 413)' },
  requestTimeoutMs: {
    kind: 'int',
    min: 0,
    max: 3_600_000,
    default: 30_000,
    flag: true,
    help: 'longest time (ms) a client may take to send a whole request (slower: 408); 0: no limit',
  },
  drainTimeoutMs: {
    kind: 'int',
    min: 0,
    max: 3_600_000,
    default: 10_000,
    flag: true,
    help: 'on shutdown, how long (ms) requests in flight may take before their connections are closed',
  },
  idleGraceMs: { kind: 'int', min: 0, max: 60_000, default: 200, flag: true, help: 'on shutdown, how long (ms) idle keep-alive connections may still send a request' },
  backend: {
    kind: 'enum',
    choices: BACKENDS,
    flag: true,
    defaultText: 'the backend already initialised, else auto',
    help: 'TensorFlow.js backend to initialise before loading the policy',
  },
  processMetrics: { kind: 'boolean', default: true, flag: false, help: "also export prom-client's process metrics (CPU, memory, event loop)" },
} as const satisfies Record<string, ServeOptionSpec>;

type Specs = typeof SERVE_OPTIONS;
/** Names of the options. */
export type ServeOptionName = keyof Specs;
/** The value type of an option spec. */
type ValueOf<S> = S extends { kind: 'int' | 'number' } ? number : S extends { kind: 'boolean' } ? boolean : S extends { kind: 'enum'; choices: readonly (infer C)[] } ? C : string;
/** Options that have a fixed default. */
type Defaulted = { [K in ServeOptionName]: Specs[K] extends { default: unknown } ? K : never }[ServeOptionName];

/** The plain-valued options, each optional (see {@link SERVE_OPTIONS} for what each does and its default). */
export type ServeOptionValues = { readonly [K in ServeOptionName]?: ValueOf<Specs[K]> };

/** Options of {@link createServer}: the plain options of {@link SERVE_OPTIONS}, plus objects. Give `policyDir` or `policy`. */
export interface ServeOptions extends ServeOptionValues {
  /** An already loaded policy to serve instead of `policyDir` (embedding); the server does not dispose it. */
  readonly policy?: ServablePolicy;
  /** pino logger for request and lifecycle logs; default a new one at level `RL_LOG_LEVEL` (or `info`). */
  readonly logger?: Logger;
}

/** Options with their defaults filled in (`modelName` resolved from the policy). */
export type ResolvedServeOptions = { readonly [K in Defaulted]: ValueOf<Specs[K]> } & {
  readonly maxRequestBatch: number;
  readonly modelName: string;
};

/** The fixed defaults of {@link SERVE_OPTIONS}. */
export const SERVE_DEFAULTS = Object.fromEntries(
  Object.entries(SERVE_OPTIONS).flatMap(([k, s]) => ('default' in s ? [[k, s.default]] : [])),
) as { readonly [K in Defaulted]: Specs[K]['default'] };

function zodOf(s: ServeOptionSpec): z.ZodType {
  switch (s.kind) {
    case 'int':
      return z.number().int().min(s.min).max(s.max);
    case 'number':
      return z.number().min(s.min).max(s.max);
    case 'boolean':
      return z.boolean();
    case 'enum':
      return z.enum(s.choices as [string, ...string[]]);
    case 'string': {
      let t = z.string().min(1);
      if (s.maxLength !== undefined) t = t.max(s.maxLength);
      if (s.pattern) t = t.regex(s.pattern, `must hold only ${s.patternText ?? s.pattern.source}`);
      return t;
    }
  }
}

/** The zod schema of the plain options (unknown names are errors). */
export const serveOptionsSchema = z.strictObject(
  Object.fromEntries(Object.entries(SERVE_OPTIONS).map(([k, s]) => [k, zodOf(s).optional()])) as Record<ServeOptionName, z.ZodOptional<z.ZodType>>,
);

/** The zod schema of one option (for checking a flag's value). */
export function serveOptionSchema(name: ServeOptionName): z.ZodType {
  return zodOf(SERVE_OPTIONS[name]);
}

/** What the policy tells about its default model name. */
export interface ModelNameSource {
  /** The env id in the policy's metadata. */
  readonly envId?: string | undefined;
  /** The directory given (a run or policy directory). */
  readonly dir?: string | undefined;
}

/**
 * The model name when none is given: the env id, else the directory's last segment, with
 * every character outside {@link MODEL_NAME_PATTERN} replaced by `_` (`ALE/Pong-v5` →
 * `ALE_Pong-v5`); `policy` when neither is known.
 */
export function defaultModelName(from: ModelNameSource): string {
  for (const raw of [from.envId, from.dir?.replace(/[/\\]+$/, '').split(/[/\\]/).pop()]) {
    const name = (raw ?? '').replace(/[^A-Za-z0-9._-]/g, '_').replace(/^[._-]+/, '').slice(0, SERVE_OPTIONS.modelName.maxLength);
    if (name !== '') return name;
  }
  return 'policy';
}

/**
 * Checks `opts` and fills in defaults; throws a `RangeError` listing every bad field. The
 * model name defaults from `names` (see {@link defaultModelName}).
 */
export function resolveServeOptions(opts: ServeOptions, names: ModelNameSource = {}): ResolvedServeOptions {
  const { policy, logger: _logger, ...plain } = opts;
  const r = serveOptionsSchema.safeParse(plain);
  if (!r.success) {
    const list = r.error.issues.map((i) => `${i.path.join('.') || (i.code === 'unrecognized_keys' ? i.keys.join(', ') : '(options)')}: ${i.message}`).join('; ');
    throw new RangeError(`createServer: invalid options: ${list}`);
  }
  if ((opts.policyDir === undefined) === (policy === undefined)) {
    throw new RangeError('createServer: give exactly one of policyDir (a saved policy or run directory) or policy (a loaded policy)');
  }
  const given = r.data as Record<string, unknown>;
  const merged = Object.fromEntries(Object.entries(SERVE_DEFAULTS).map(([k, d]) => [k, given[k] ?? d])) as Omit<ResolvedServeOptions, 'maxRequestBatch' | 'modelName'>;
  return {
    ...merged,
    maxRequestBatch: opts.maxRequestBatch ?? merged.maxBatch,
    modelName: opts.modelName ?? defaultModelName({ envId: names.envId, dir: names.dir ?? opts.policyDir }),
  };
}

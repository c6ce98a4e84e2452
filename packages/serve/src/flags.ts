/**
 * The command-line form of the server's options: one flag per {@link SERVE_OPTIONS} entry
 * marked `flag`, with its help, range and default read from there. `rl serve` (commander) and
 * `bin/serve.mjs` (node:util parseArgs) both build their flags from {@link serveFlags} and
 * parse values with {@link parseServeFlag}, so neither writes a default of its own.
 */
import { SERVE_OPTIONS, serveOptionSchema, type ServeOptionName, type ServeOptionSpec } from './options.js';

/** One command-line flag of the server. */
export interface ServeFlag {
  /** The option it sets, e.g. `maxWaitMs`. */
  readonly name: ServeOptionName;
  /** The flag, e.g. `--max-wait-ms`. */
  readonly flag: string;
  /** Placeholder of its value (`<n>`, `<ms>`, …); undefined for a boolean flag, which takes none. */
  readonly arg: string | undefined;
  /** Allowed values of an enum option. */
  readonly choices: readonly string[] | undefined;
  /** The help line, with the allowed range. */
  readonly help: string;
  /** The default as shown in help, e.g. `8080` or `the max batch`. */
  readonly defaultText: string;
}

/** `maxBatch` → `max-batch`: an option's flag name. */
export const kebab = (s: string): string => s.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();

function rangeText(s: ServeOptionSpec): string | undefined {
  if (s.kind === 'int') return `an integer from ${s.min} to ${s.max}`;
  if (s.kind === 'number') return `a number from ${s.min} to ${s.max}`;
  if (s.kind === 'string' && s.patternText) return `${s.patternText}${s.maxLength !== undefined ? `, at most ${s.maxLength}` : ''}`;
  return undefined;
}

function argOf(name: string, s: ServeOptionSpec): string | undefined {
  if (s.kind === 'boolean') return undefined;
  if (name.endsWith('Ms')) return '<ms>';
  if (s.kind === 'int' || s.kind === 'number') return name === 'port' ? '<port>' : name === 'bodyLimit' ? '<bytes>' : '<n>';
  return `<${kebab(name).split('-').pop()}>`;
}

/** The flags of `rl serve` / `bin/serve.mjs`, in {@link SERVE_OPTIONS} order. */
export function serveFlags(): ServeFlag[] {
  return (Object.entries(SERVE_OPTIONS) as [ServeOptionName, ServeOptionSpec][])
    .filter(([, s]) => s.flag)
    .map(([name, s]) => {
      const range = rangeText(s);
      return {
        name,
        flag: `--${kebab(name)}`,
        arg: argOf(name, s),
        choices: s.kind === 'enum' ? s.choices : undefined,
        help: range ? `${s.help}; ${range}` : s.help,
        defaultText: s.defaultText ?? String(s.default),
      };
    });
}

/**
 * The value of flag `name` given as `text` (booleans: `true`/`false`, or no text), checked
 * against the option's range; throws a `RangeError` naming the flag, what it must be and what
 * came.
 */
export function parseServeFlag(name: ServeOptionName, text: string | boolean): unknown {
  const s: ServeOptionSpec = SERVE_OPTIONS[name];
  const flag = `--${kebab(name)}`;
  let value: unknown = text;
  if (s.kind === 'boolean') {
    if (typeof text === 'string') {
      if (!['true', 'false'].includes(text)) throw new RangeError(`${flag} must be true or false, got ${JSON.stringify(text)}`);
      value = text === 'true';
    }
  } else if (s.kind === 'int' || s.kind === 'number') {
    value = typeof text === 'string' && text.trim() !== '' ? Number(text) : NaN;
  }
  const r = serveOptionSchema(name).safeParse(value);
  if (!r.success) {
    const what = s.kind === 'enum' ? `one of ${s.choices.join(', ')}` : (rangeText(s) ?? r.error.issues[0]?.message ?? 'valid');
    throw new RangeError(`${flag} must be ${what}, got ${JSON.stringify(text)}`);
  }
  return r.data;
}

/** One line per flag: `--max-batch <n>  most observations … (default: 256)`. */
export function serveFlagsHelp(): string {
  const flags = serveFlags();
  const head = flags.map((f) => `${f.flag}${f.arg ? ` ${f.arg}` : ''}`);
  const w = Math.max(...head.map((h) => h.length));
  return flags.map((f, i) => `  ${head[i]!.padEnd(w)}  ${f.help}${f.choices ? `: ${f.choices.join(', ')}` : ''} (default: ${f.defaultText})`).join('\n');
}

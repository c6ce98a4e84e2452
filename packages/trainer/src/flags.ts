/**
 * Command-line flags derived from a zod object schema (the trainer's config, `@rl/distributed`'s
 * run options): one flag per field with its kind, default, range and help text read from the
 * schema, and the parser of a flag's text. `rl train` (commander) and `rl-distributed`
 * (node:util parseArgs) both build their flags here, so no flag table is written by hand.
 */
import type { z } from 'zod';

/** A flag's text that is not a value of its kind (the caller adds the flag's name). */
export class FlagValueError extends Error {
  override readonly name = 'FlagValueError';
}

/** How one config field is given on the command line. */
export interface FieldFlag {
  /** Dotted path in the config record, e.g. `lr` or `policy.hidden`. */
  readonly path: readonly string[];
  /** Long flag without dashes, kebab-case, e.g. `steps-per-iter` or `policy-hidden`. */
  readonly flag: string;
  /** Kind of value the flag takes. */
  readonly kind: 'number' | 'int' | 'boolean' | 'string' | 'enum' | 'number[]' | 'string[]' | 'json';
  /** Allowed values of an enum. */
  readonly choices?: readonly string[];
  /** The schema's default, if any. */
  readonly defaultValue?: unknown;
  /** The schema's description, if any. */
  readonly description?: string;
  /** What the default is when the schema computes it (`.meta({ defaultText })`), e.g. `shards`. */
  readonly defaultText?: string;
  /** Inclusive numeric bounds, when the schema states them. */
  readonly min?: number;
  readonly max?: number;
  /** False when the bound itself is not allowed (`> min`, `< max`). */
  readonly minInclusive?: boolean;
  readonly maxInclusive?: boolean;
}

/** Zod 4 internals the walk reads (the public classic API exposes these as properties). */
interface Inspect {
  readonly _zod: {
    readonly def: {
      readonly type: string;
      readonly innerType?: Inspect;
      readonly element?: Inspect;
      readonly defaultValue?: unknown;
      readonly values?: readonly unknown[];
      readonly entries?: Record<string, unknown>;
      readonly checks?: readonly { readonly _zod: { readonly def: { readonly check: string; readonly value?: unknown; readonly inclusive?: boolean } } }[];
    };
  };
  readonly description?: string;
  meta?(): Record<string, unknown> | undefined;
  readonly shape?: Record<string, Inspect>;
  readonly options?: readonly unknown[];
  readonly minValue?: number | null;
  readonly maxValue?: number | null;
  readonly isInt?: boolean;
}

/** camelCase → kebab-case (`stepsPerIter` → `steps-per-iter`). */
export const kebab = (s: string): string => s.replace(/([a-z0-9])([A-Z])/g, '$1-$2').replace(/_/g, '-').toLowerCase();

/** The flag name a schema gives with `.meta({ flag: 'name' })` (e.g. `round-timeout` for `roundTimeoutMs`). */
const metaText = (s: Inspect, key: 'flag' | 'defaultText'): string | undefined => {
  const f = typeof s.meta === 'function' ? s.meta()?.[key] : undefined;
  return typeof f === 'string' ? f : undefined;
};

function unwrap(s: Inspect): { inner: Inspect; defaultValue?: unknown; description?: string; flag?: string; defaultText?: string } {
  let cur = s;
  let defaultValue: unknown;
  let description = s.description;
  let flag = metaText(s, 'flag');
  let defaultText = metaText(s, 'defaultText');
  for (;;) {
    const t = cur._zod.def.type;
    if ((t === 'default' || t === 'prefault') && defaultValue === undefined) {
      const dv = cur._zod.def.defaultValue;
      defaultValue = typeof dv === 'function' ? (dv as () => unknown)() : dv;
    }
    if ((t === 'default' || t === 'prefault' || t === 'optional' || t === 'nullable' || t === 'readonly') && cur._zod.def.innerType) {
      cur = cur._zod.def.innerType;
      description ??= cur.description;
      flag ??= metaText(cur, 'flag');
      defaultText ??= metaText(cur, 'defaultText');
      continue;
    }
    return { inner: cur, defaultValue, description, ...(flag ? { flag } : {}), ...(defaultText ? { defaultText } : {}) };
  }
}

/**
 * One flag per leaf field of a zod object schema (nested objects are flattened:
 * `policy.hidden` → `--policy-hidden`; `.meta({ flag })` names a flag otherwise), with kind,
 * default, description and bounds read from the schema, so flags never drift from the record.
 *
 * @example
 * schemaFlags(trainConfigSchema).find((f) => f.flag === 'num-envs'); // { kind: 'int', defaultValue: 16, min: 1, … }
 */
export function schemaFlags(schema: z.ZodType, exclude: readonly string[] = []): FieldFlag[] {
  const out: FieldFlag[] = [];
  const walk = (s: Inspect, path: string[], parentDefault: unknown): void => {
    const { inner, defaultValue: dv, description, flag: named, defaultText } = unwrap(s);
    const defaultValue = dv !== undefined ? dv : parentDefault;
    const t = inner._zod.def.type;
    if (t === 'object' && inner.shape) {
      for (const [k, v] of Object.entries(inner.shape)) {
        const pd = defaultValue && typeof defaultValue === 'object' ? (defaultValue as Record<string, unknown>)[k] : undefined;
        walk(v, [...path, k], pd);
      }
      return;
    }
    const flag = named ?? path.map(kebab).join('-');
    if (exclude.includes(path.join('.'))) return;
    const base = { path, flag, defaultValue, description, ...(defaultText ? { defaultText } : {}) };
    if (t === 'number') {
      const min = inner.minValue ?? undefined;
      const max = inner.maxValue ?? undefined;
      const checks = (inner._zod.def.checks ?? []).map((c) => c._zod.def);
      const inclusive = (kind: string, v: number | undefined): boolean => checks.find((c) => c.check === kind && c.value === v)?.inclusive !== false;
      const usable = (v: number | undefined): v is number => v !== undefined && Number.isFinite(v) && Math.abs(v) < Number.MAX_SAFE_INTEGER;
      const bounded = {
        ...(usable(min) ? { min, minInclusive: inclusive('greater_than', min) } : {}),
        ...(usable(max) ? { max, maxInclusive: inclusive('less_than', max) } : {}),
      };
      out.push({ ...base, kind: inner.isInt ? 'int' : 'number', ...bounded });
    } else if (t === 'boolean') out.push({ ...base, kind: 'boolean' });
    else if (t === 'string') out.push({ ...base, kind: 'string' });
    else if (t === 'enum' || t === 'literal') {
      const vals = inner.options ?? inner._zod.def.values ?? Object.values(inner._zod.def.entries ?? {});
      out.push({ ...base, kind: 'enum', choices: vals.map(String) });
    } else if (t === 'array' && inner._zod.def.element) {
      const et = unwrap(inner._zod.def.element).inner._zod.def.type;
      out.push({ ...base, kind: et === 'number' ? 'number[]' : et === 'string' ? 'string[]' : 'json' });
    } else out.push({ ...base, kind: 'json' });
  };
  walk(schema as unknown as Inspect, [], undefined);
  return out;
}

/** Parses a flag's text into the value the schema expects; throws a {@link FlagValueError} saying what is wrong with the text. */
export function parseFlagValue(f: FieldFlag, text: string): unknown {
  const num = (s: string): number => {
    const n = Number(s.trim());
    if (s.trim() === '' || Number.isNaN(n)) throw new FlagValueError(`"${s}" is not a number.`);
    return n;
  };
  switch (f.kind) {
    case 'number':
    case 'int':
      return num(text);
    case 'boolean': {
      const t = text.toLowerCase();
      if (['true', '1', 'yes'].includes(t)) return true;
      if (['false', '0', 'no'].includes(t)) return false;
      throw new FlagValueError(`"${text}" is not a boolean (true or false).`);
    }
    case 'number[]':
      return text.split(',').filter((s) => s.trim() !== '').map(num);
    case 'string[]':
      return text.split(',').map((s) => s.trim()).filter((s) => s !== '');
    case 'json':
      try {
        return JSON.parse(text) as unknown;
      } catch {
        // a bare word (e.g. `--workers auto` for a number | "auto" field); the schema judges it
        if (/^[A-Za-z][\w-]*$/.test(text.trim())) return text.trim();
        throw new FlagValueError(`"${text}" is not valid JSON.`);
      }
    default:
      return text;
  }
}

/** The flag's help line: description, allowed values or range, and default. */
export function flagHelp(f: FieldFlag): string {
  const parts: string[] = [];
  if (f.description) parts.push(f.description);
  if (f.choices) parts.push(`one of ${f.choices.join(', ')}`);
  const lo = f.min === undefined ? undefined : `${f.minInclusive === false ? '>' : '≥'} ${f.min}`;
  const hi = f.max === undefined ? undefined : `${f.maxInclusive === false ? '<' : '≤'} ${f.max}`;
  if (lo || hi) parts.push([lo, hi].filter(Boolean).join(' and '));
  if (f.kind === 'number[]' || f.kind === 'string[]') parts.push('comma-separated');
  if (f.defaultValue !== undefined) parts.push(`(default: ${JSON.stringify(f.defaultValue)})`);
  else if (f.defaultText !== undefined) parts.push(`(default: ${f.defaultText})`);
  return parts.join('; ');
}

/** Sets `value` at `path` inside a nested record (creating objects on the way). */
export function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let cur = target;
  path.slice(0, -1).forEach((k) => {
    const next = cur[k];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  });
  cur[path[path.length - 1]!] = value;
}

/** Deep merge of plain records: later sources win; arrays and scalars are replaced, not merged. */
export function deepMerge(...sources: readonly Record<string, unknown>[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const src of sources) {
    for (const [k, v] of Object.entries(src)) {
      if (v === undefined) continue;
      const prev = out[k];
      const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x) && !ArrayBuffer.isView(x);
      out[k] = isObj(prev) && isObj(v) ? deepMerge(prev, v) : v;
    }
  }
  return out;
}

/**
 * Shared benchmark reporting: machine facts, JSON + markdown files in `benchmarks/results/`,
 * and one section per benchmark in `benchmarks/RESULTS.md` (replaced on each run).
 */
import { cpus, totalmem, platform, arch, release, loadavg } from 'node:os';
import { mkdirSync, readFileSync, writeFileSync, existsSync, renameSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where results go: `benchmarks/results/` (override with RL_BENCH_RESULTS_DIR, e.g. in tests). */
export const RESULTS_DIR = process.env.RL_BENCH_RESULTS_DIR ?? resolve(dirname(fileURLToPath(import.meta.url)), '..', 'results');
/** The RESULTS.md file sections are written into (override with RL_BENCH_RESULTS_MD). */
export const RESULTS_MD = process.env.RL_BENCH_RESULTS_MD ?? resolve(dirname(fileURLToPath(import.meta.url)), '..', 'RESULTS.md');

/** Facts every result records. */
export interface MachineInfo {
  readonly date: string;
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly os: string;
  readonly node: string;
  readonly versions: Record<string, string>;
}

/** Date, CPU, cores, memory, OS, Node and the given package versions (e.g. tfjs, backend). */
export function machineInfo(versions: Record<string, string> = {}): MachineInfo {
  return {
    date: new Date().toISOString(),
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${platform()} ${release()} ${arch()}`,
    node: process.version,
    versions,
  };
}

/** A markdown table from a header and rows (numbers are formatted with thousands separators). */
export function markdownTable(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const fmt = (v: string | number): string =>
    typeof v === 'number' ? (Number.isInteger(v) ? v.toLocaleString('en-US') : v.toLocaleString('en-US', { maximumFractionDigits: 3 })) : v;
  const lines = [
    `| ${header.join(' | ')} |`,
    `|${header.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`,
    ...rows.map((r) => `| ${r.map(fmt).join(' | ')} |`),
  ];
  return lines.join('\n');
}

/** What a benchmark reports. */
export interface BenchReport {
  /** File stem and section key, e.g. `env-throughput`. */
  readonly name: string;
  /** Section heading in RESULTS.md. */
  readonly title: string;
  /** Machine facts (from {@link machineInfo}). */
  readonly machine: MachineInfo;
  /** Markdown body: tables and notes (the heading and machine line are added). */
  readonly markdown: string;
  /** Raw data, written as JSON. */
  readonly data: unknown;
  /** Extra files (e.g. `{ 'rollout-throughput.svg': svgText }`) written beside the JSON. */
  readonly files?: Record<string, string>;
}

function writeAtomic(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/**
 * Writes `results/<name>.json`, `results/<name>.md`, any extra files, and replaces the
 * `<name>` section of RESULTS.md (other sections are kept). Returns the markdown written.
 */
export function writeReport(r: BenchReport): string {
  const m = r.machine;
  const versions = Object.entries(m.versions).map(([k, v]) => `${k} ${v}`).join(', ');
  const md = [
    `## ${r.title}`,
    '',
    `_${m.date.slice(0, 16).replace('T', ' ')} UTC · ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB · ${m.os} · Node ${m.node}${versions ? ` · ${versions}` : ''}_`,
    '',
    r.markdown.trim(),
    '',
  ].join('\n');
  writeAtomic(join(RESULTS_DIR, `${r.name}.json`), JSON.stringify({ name: r.name, machine: m, data: r.data }, null, 2) + '\n');
  writeAtomic(join(RESULTS_DIR, `${r.name}.md`), md);
  for (const [file, text] of Object.entries(r.files ?? {})) writeAtomic(join(RESULTS_DIR, file), text);

  const begin = `<!-- begin ${r.name} -->`;
  const end = `<!-- end ${r.name} -->`;
  const head = '# Benchmark results\n\nEach section is rewritten by its benchmark command (see `benchmarks/README.md`). Raw JSON and plots are in `results/`.\n';
  const old = existsSync(RESULTS_MD) ? readFileSync(RESULTS_MD, 'utf8') : head;
  const block = `${begin}\n${md}${end}`;
  const re = new RegExp(`${begin}[\\s\\S]*?${end}`);
  const next = re.test(old) ? old.replace(re, block) : `${old.trimEnd()}\n\n${block}\n`;
  writeAtomic(RESULTS_MD, next);
  return md;
}

/** Median of a list of numbers. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const k = Math.floor(s.length / 2);
  return s.length % 2 ? s[k]! : (s[k - 1]! + s[k]!) / 2;
}

/** /proc/loadavg as one line (1, 5, 15-minute load, runnable/total threads, last pid); os.loadavg() where there is no /proc. */
export function procLoadavg(): string {
  try {
    return readFileSync('/proc/loadavg', 'utf8').trim();
  } catch {
    return loadavg().map((x) => x.toFixed(2)).join(' ');
  }
}

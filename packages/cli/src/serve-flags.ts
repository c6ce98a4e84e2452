import { InvalidArgumentError, Option } from 'commander';
import type { ServeFlag } from '@rl/serve';

/** What the `serve` command needs from @rl/serve to build its flags (loaded only for `serve` / `help serve`). */
export interface ServeFlagSource {
  /** @rl/serve's `serveFlags()`: names, help, ranges and defaults of its options. */
  readonly flags: readonly ServeFlag[];
  /** @rl/serve's `parseServeFlag`: a flag's text to its checked value (throws naming the flag). */
  readonly parse: (name: ServeFlag['name'], text: string) => unknown;
}

/** Loads the serve flags from @rl/serve when `argv` runs `rl serve` or asks for its help. */
export async function loadServeFlags(argv: readonly string[]): Promise<ServeFlagSource | undefined> {
  const wantsServe = argv[0] === 'serve' || (argv[0] === 'help' && argv[1] === 'serve');
  if (!wantsServe) return undefined;
  const { serveFlags, parseServeFlag } = await import('@rl/serve');
  return { flags: serveFlags(), parse: parseServeFlag };
}

/**
 * Commander options for @rl/serve's flags, each with its help and default as @rl/serve states
 * them. No commander defaults are set: flags not given leave @rl/serve's defaults in force.
 */
export function serveOptions(source: ServeFlagSource): Option[] {
  return source.flags.map((f) => {
    const opt = new Option(`${f.flag}${f.arg ? ` ${f.arg}` : ''}`, `${f.help} (default: ${f.defaultText})`);
    if (f.choices) opt.choices(f.choices);
    else if (f.arg) {
      opt.argParser((text: string) => {
        try {
          return source.parse(f.name, text);
        } catch (err) {
          throw new InvalidArgumentError(`${(err as Error).message}.`);
        }
      });
    }
    return opt;
  });
}

import { CliError } from './errors.js';

/**
 * `rl serve DIR`: the policy of a run (or a saved policy directory) as an HTTP service
 * (`@rl/serve`'s `runServeCommand`: POST /act micro-batched, TF Serving's REST API under
 * /v1/models/, /healthz, /metadata, /metrics) until SIGTERM / SIGINT, which drain the
 * requests in flight and exit 0. `opts` are the flags of @rl/serve's `serveFlags()`, already
 * parsed; every default is @rl/serve's.
 */
export async function serveCommand(dir: string, opts: Record<string, unknown>): Promise<void> {
  const { findPolicyDir } = await import('@rl/policy');
  let policyDir: string;
  try {
    policyDir = findPolicyDir(dir).policyDir;
  } catch (err) {
    throw new CliError((err as Error).message);
  }
  const { runServeCommand, serveFlags } = await import('@rl/serve');
  const given = Object.fromEntries(serveFlags().flatMap((f) => (opts[f.name] === undefined ? [] : [[f.name, opts[f.name]]])));
  await runServeCommand({
    ...given,
    dir,
    onListening: (a, server) => {
      const name = server.options.modelName;
      process.stdout.write(
        `rl serve: ${policyDir} on ${a.url} as model "${name}" (POST /act, POST /v1/models/${name}:predict, GET /healthz /metadata /metrics; Ctrl-C stops)\n`,
      );
    },
  });
}

import { Command, InvalidArgumentError, Option } from 'commander';
import { CliError } from './errors.js';
import { camel } from './flag-names.js';
import { RUN_DEFAULTS } from './rundir.js';
import type { TrainerFlagSource } from './train-options.js';
import { serveOptions, type ServeFlagSource } from './serve-flags.js';

export type { TrainerFlagSource };
export { RUN_DEFAULTS };

export const positiveNumber = (name: string) => (text: string): number => {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a number > 0, got "${text}".`);
  return n;
};

export const positiveInt = (name: string) => (text: string): number => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be an integer ≥ 1, got "${text}".`);
  return n;
};

const nonNegativeInt = (name: string) => (text: string): number => {
  const n = Number(text);
  if (text.trim() === '' || !Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be an integer ≥ 0, got "${text}".`);
  return n;
};

const intList = (name: string) => (text: string): number[] =>
  text.split(',').map((t) => {
    const n = Number(t.trim());
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be comma-separated integers ≥ 0, got "${text}".`);
    return n;
  });

/** `--env-module` of the commands on a run (rl train derives its own from the trainer's config schema). */
const envModuleOption = (): Option =>
  new Option('--env-module <file>', 'a .ts or .js file that registers the run’s env (a user env) (default: the one the run’s config.json records, from rl train --env-module)');

/**
 * The `rl` program. Each command's action imports its module only when it runs, so start-up
 * loads no TensorFlow.js or vega for commands that do not use them.
 */
export function buildProgram(trainer: TrainerFlagSource | undefined, serveFlags?: ServeFlagSource): Command {
  const program = new Command('rl')
    .description('Deep reinforcement learning on TensorFlow.js: train, evaluate, resume and benchmark batched REINFORCE.')
    .version('0.1.0')
    .showHelpAfterError('(add --help for usage)')
    .configureHelp({ sortSubcommands: false, showGlobalOptions: false });

  const train = program
    .command('train')
    .description('Train a policy; writes a run directory (config.json, metrics.jsonl, curve.svg, model/, checkpoints/, train.log).')
    .option('--config <file>', 'config file (YAML or JSON) layered over configs/<env>.* and under the flags (default: none)')
    .option('--out <dir>', 'run directory (default: runs/<env>-<UTC timestamp>)')
    .option('--force', 'replace --out if it already holds something (default: false)')
    .addOption(new Option('--checkpoint-every <n>', `write a checkpoint every n iterations (default: ${RUN_DEFAULTS.checkpointEvery})`).argParser(positiveInt('--checkpoint-every')))
    .addOption(new Option('--keep-checkpoints <k>', `keep the newest k checkpoints (default: ${RUN_DEFAULTS.keepCheckpoints})`).argParser(positiveInt('--keep-checkpoints')))
    .addOption(new Option('--curve-seconds <s>', `redraw curve.svg at most every s seconds while training, and at the end (default: ${RUN_DEFAULTS.curveSeconds})`).argParser(positiveNumber('--curve-seconds')));
  for (const opt of trainer?.options ?? []) train.addOption(opt);
  train.addHelpText(
    'after',
    '\nPrecedence: trainer defaults < configs/<env>.yaml|json < --config FILE < flags. The merged config is\n' +
      'validated before anything is written; every bad field is listed with its allowed range.\n' +
      'Ctrl-C (SIGINT) or SIGTERM writes a final checkpoint and exits 0; `rl resume DIR` continues.\n' +
      'With --distributed: one process (learner or actor) of a training over NATS (@rl/distributed); the\n' +
      '"distributed:" flags and the trainer flags apply, --config is a JSON file of @rl/distributed\'s fields\n' +
      '(training under "train"); see packages/distributed/README.md.',
  );
  train.option('--distributed', 'run one process of a distributed training over NATS (learner or actor) with the "distributed:" flags (default: off)');
  train.action(async (opts: Record<string, unknown>) => {
    const own = ['out', 'force', 'checkpointEvery', 'keepCheckpoints', 'curveSeconds'].filter((k) => opts[k] !== undefined);
    if (opts.distributed === true) {
      if (own.length > 0) throw new CliError(`${own.map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ')} only apply without --distributed (the learner writes --checkpoint-dir).`, 2);
      const { distributedCommand } = await import('./distributed.js');
      await distributedCommand(opts, trainer?.flags ?? [], trainer?.distributedFlags ?? []);
      return;
    }
    const stray = (trainer?.distributedFlags ?? []).filter((f) => opts[camel(f.flag)] !== undefined);
    if (stray.length > 0) throw new CliError(`${stray.map((f) => `--${f.flag}`).join(', ')} only apply with --distributed.`, 2);
    const { trainCommand } = await import('./train.js');
    await trainCommand(opts, trainer?.flags ?? []);
  });

  program
    .command('resume')
    .description('Continue a run from its latest complete checkpoint (metrics.jsonl continues without gaps or duplicates).')
    .argument('<dir>', 'run directory made by rl train')
    .addOption(new Option('--total-steps <k>', 'new total env steps (default: the run’s totalSteps)').argParser(positiveInt('--total-steps')))
    .addOption(envModuleOption())
    .action(async (dir: string, opts: { totalSteps?: number; envModule?: string }) => {
      const { resumeCommand } = await import('./resume.js');
      await resumeCommand(dir, opts);
    });

  program
    .command('eval')
    .description('Evaluate the saved policy of a run: mean ± std of episode return and length.')
    .argument('<dir>', 'run directory made by rl train')
    .addOption(new Option('--episodes <n>', 'episodes to run (default: 100)').argParser(positiveInt('--episodes')))
    .option('--deterministic', 'take the most likely action instead of sampling (default: false)')
    .addOption(new Option('--seed <s>', 'seed of the evaluation envs and sampling (default: the run’s seed + 1000, as the evaluation after training)').argParser((t: string) => {
      const n = Number(t);
      if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`--seed must be an integer ≥ 0, got "${t}".`);
      return n;
    }))
    .option('--backend <name>', 'TensorFlow.js backend (default: the run’s backend)')
    .option('--json', 'print one JSON object instead of text (default: false)')
    .addOption(envModuleOption())
    .action(async (dir: string, opts: Record<string, unknown>) => {
      const { evalCommand } = await import('./eval.js');
      await evalCommand(dir, opts);
    });

  const serve = program
    .command('serve')
    .description(
      'Serve the policy of a run over HTTP until SIGTERM / SIGINT: POST /act (micro-batched), TF Serving\'s REST API ' +
        '(POST /v1/models/<name>:predict, GET /v1/models/<name>[/metadata]), GET /healthz, /metadata, /metrics.',
    )
    .argument('<dir>', 'run directory made by rl train (its model/), or a saved policy directory');
  for (const opt of serveFlags ? serveOptions(serveFlags) : []) serve.addOption(opt);
  serve.addOption(new Option('--env-module <file>', 'a .ts or .js file that registers the policy’s env: checks that the policy fits it (default: the one the run records; serving needs none)'));
  serve.addHelpText('after', '\n/act and :predict sample the policy unless the request (or --deterministic) asks for the mode; see packages/serve/README.md.');
  serve.action(async (dir: string, opts: Record<string, unknown>) => {
    const { serveCommand } = await import('./serve.js');
    await serveCommand(dir, opts);
  });

  program
    .command('web')
    .description('Build the web app (apps/web) and serve it, with the runs directory at /runs/ (train and watch policies in the browser on WebGPU / WebGL, load models from rl train).')
    .addOption(new Option('--port <port>', 'TCP port, 0 for any free one (default: 5173)').argParser(nonNegativeInt('--port')))
    .option('--host <host>', 'address to listen on (default: 127.0.0.1)')
    .option('--runs <dir>', 'directory served at /runs/ (default: runs)')
    .option('--build-dir <dir>', 'where the app is built (default: apps/web/dist)')
    .action(async (opts: Record<string, unknown>) => {
      const { webCommand } = await import('./web.js');
      await webCommand(opts);
    });

  program
    .command('check-env')
    .description('Run the env checker on an env and print its findings; exit 0 when clean or with warnings only.')
    .argument('<id>', 'env id (e.g. CartPole-v1, or one --env-module registers), or a run directory (its env and env module)')
    .option('--env-module <file>', 'a .ts or .js file that registers the env (a user env) (default: none, or the one the run records)')
    .option('--json', 'print the findings as JSON (default: false)')
    .action(async (id: string, opts: { json?: boolean; envModule?: string }) => {
      const { checkEnvCommand } = await import('./check-env.js');
      await checkEnvCommand(id, opts);
    });

  program
    .command('doctor')
    .description('What this machine offers: versions; each backend, available or why not and the fix; WebGPU adapters; the CUDA libraries tfjs-node-gpu needs; a short probe per backend and the one to use. Exits 0.')
    .option('--json', 'print one JSON document instead of text (default: false)')
    .option('--no-probe', 'skip the short speed probes (default: run them)')
    .action(async (opts: { json?: boolean; probe?: boolean }) => {
      const { doctorCommand } = await import('./doctor.js');
      await doctorCommand(opts);
    });

  program
    .command('bench')
    .description('Run a benchmark, print its table and write results (benchmarks/results/, benchmarks/RESULTS.md).')
    .addArgument(new Command().createArgument('<which>', 'env | rollout | train | policy | serve | distributed | update | rollout-workers | train-workers').choices(['env', 'rollout', 'train', 'policy', 'serve', 'distributed', 'update', 'rollout-workers', 'train-workers']))
    .option('--quick', 'a short run (fewer sizes, seeds and repeats) (default: false)')
    .option('--no-peer', 'skip the PyTorch peer (rollout, train, update) (default: run it when installed)')
    .addOption(new Option('--seeds <list>', 'train: comma-separated seeds (default: 1,2,3,4,5; 1,2,3 with --quick)').argParser(intList('--seeds')))
    .option('--envs <list>', 'train: comma-separated env ids (default: CartPole-v1, Acrobot-v1, Pendulum-v1, MountainCar-v0)', (t: string) => t.split(',').map((s) => s.trim()).filter(Boolean))
    .addOption(new Option('--workers <list>', 'rollout: comma-separated worker-thread counts, runs the worker-thread rollout benchmark; rollout-workers: the counts (default 1,2); train-workers: the largest is the run with workers (default 2) (default: off)').argParser(intList('--workers')))
    .option('--browser', 'rollout: tensor-native rollouts in headless Chromium on webgpu and webgl (default: off)')
    .option('--backend <list>', 'rollout, update: comma-separated Node backends (update: default wasm,cpu,webgpu); rollout: with webgpu, WebGPU in Node beside wasm (N up to 65,536, updates; results/rollout-webgpu) (default: wasm,cpu)', (t: string) => t.split(',').map((s) => s.trim()).filter(Boolean))
    .addHelpText('after', '\n  env      env steps/s of generic vs native vector envs\n  rollout  batched rollout steps/s (policy + envs), wasm and cpu; --backend webgpu: WebGPU in Node beside wasm\n  train    time to solve CartPole-v1 (whole processes) and final returns of the other envs\n  policy   policy act() throughput vs bare tfjs\n  serve    rl serve over HTTP: requests/s and latency, micro-batching on vs off\n  distributed  one learner + 1/2/4 actor processes over a local NATS server vs one process\n  update   ms of one REINFORCE update at B = 1024, 4096, 16384 per backend, beside the PyTorch peer\n  rollout-workers  rollout steps/s with the envs on 1, 2 worker threads beside one process and the peer (= rollout --workers 1,2)\n  train-workers    time to solve CartPole-v1, rollouts in the learner\'s thread vs on worker threads, beside the peer')
    .action(async (which: 'env' | 'rollout' | 'train' | 'policy' | 'serve' | 'distributed' | 'update' | 'rollout-workers' | 'train-workers', opts: { quick?: boolean; peer?: boolean; seeds?: number[]; envs?: string[]; workers?: number[]; browser?: boolean; backend?: string[] }) => {
      const { benchCommand } = await import('./bench.js');
      await benchCommand(which, opts);
    });

  return program;
}

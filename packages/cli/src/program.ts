import { Command, InvalidArgumentError, Option } from 'commander';
import type { FieldFlag } from './schema-flags.js';
import { trainerOptions } from './train-options.js';

/** What the `train` command needs from the trainer to build its flags (loaded only for `train`/`help`). */
export interface TrainerFlagSource {
  readonly flags: readonly FieldFlag[];
  readonly defaults: Readonly<Record<string, unknown>>;
  /** The env whose configs/ defaults the help shows. */
  readonly helpEnv: string;
}

/** Defaults of the CLI's own run options. */
export const RUN_DEFAULTS = { checkpointEvery: 20, keepCheckpoints: 3, curveSeconds: 5 } as const;

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

const nonNegativeNumber = (name: string) => (text: string): number => {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`${name} must be a number ≥ 0, got "${text}".`);
  return n;
};

const intList = (name: string) => (text: string): number[] =>
  text.split(',').map((t) => {
    const n = Number(t.trim());
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be comma-separated integers ≥ 0, got "${text}".`);
    return n;
  });

/**
 * The `rl` program. Each command's action imports its module only when it runs, so start-up
 * loads no TensorFlow.js or vega for commands that do not use them.
 */
export function buildProgram(trainer: TrainerFlagSource | undefined): Command {
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
  for (const opt of trainer ? trainerOptions(trainer.flags, trainer.defaults, trainer.helpEnv) : []) train.addOption(opt);
  train.addHelpText(
    'after',
    '\nPrecedence: trainer defaults < configs/<env>.yaml|json < --config FILE < flags. The merged config is\n' +
      'validated before anything is written; every bad field is listed with its allowed range.\n' +
      'Ctrl-C (SIGINT) or SIGTERM writes a final checkpoint and exits 0; `rl resume DIR` continues.',
  );
  train
    .option('--distributed', 'run one process of a distributed training over NATS (learner or actor; @rl/distributed): takes --nats, --role, --shard, --shards, a JSON --config, --run, --iterations, --checkpoint-dir … and a subset of the trainer flags; see packages/distributed/README.md (default: off)')
    .option('--nats <url>', 'distributed: NATS server URL, e.g. nats://127.0.0.1:4222 (default: none)')
    .addOption(new Option('--role <role>', 'distributed: this process\'s role (default: none)').choices(['learner', 'actor']))
    .option('--shard <i>', 'distributed: this actor\'s shard index, 0-based (default: none)')
    .option('--shards <k>', 'distributed: number of actor shards (default: none)');
  train.action(async (opts: Record<string, unknown>) => {
    // `rl train --distributed …` never gets here: main.ts hands its argv to @rl/distributed's own parser
    const distributedFlags = ['nats', 'role', 'shard', 'shards'].filter((k) => opts[k] !== undefined);
    if (distributedFlags.length > 0) throw new InvalidArgumentError(`${distributedFlags.map((k) => `--${k}`).join(', ')} only apply with --distributed.`);
    const { trainCommand } = await import('./train.js');
    await trainCommand(opts, trainer?.flags ?? []);
  });

  program
    .command('resume')
    .description('Continue a run from its latest complete checkpoint (metrics.jsonl continues without gaps or duplicates).')
    .argument('<dir>', 'run directory made by rl train')
    .addOption(new Option('--total-steps <k>', 'new total env steps (default: the run’s totalSteps)').argParser(positiveInt('--total-steps')))
    .action(async (dir: string, opts: { totalSteps?: number }) => {
      const { resumeCommand } = await import('./resume.js');
      await resumeCommand(dir, opts);
    });

  program
    .command('eval')
    .description('Evaluate the saved policy of a run: mean ± std of episode return and length.')
    .argument('<dir>', 'run directory made by rl train')
    .addOption(new Option('--episodes <n>', 'episodes to run (default: 100)').argParser(positiveInt('--episodes')))
    .option('--deterministic', 'take the most likely action instead of sampling (default: false)')
    .addOption(new Option('--seed <s>', 'seed of the evaluation envs and sampling (default: the run’s seed + 1000)').argParser((t: string) => {
      const n = Number(t);
      if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`--seed must be an integer ≥ 0, got "${t}".`);
      return n;
    }))
    .option('--backend <name>', 'TensorFlow.js backend (default: the run’s backend)')
    .option('--json', 'print one JSON object instead of text (default: false)')
    .action(async (dir: string, opts: Record<string, unknown>) => {
      const { evalCommand } = await import('./eval.js');
      await evalCommand(dir, opts);
    });

  program
    .command('serve')
    .description('Serve the policy of a run over HTTP (POST /act, micro-batched; GET /healthz, /metadata, /metrics) until SIGTERM / SIGINT.')
    .argument('<dir>', 'run directory made by rl train (its model/), or a saved policy directory')
    .option('--host <host>', 'address to listen on (default: 127.0.0.1)')
    .addOption(new Option('--port <port>', 'TCP port, 0 for any free one (default: 8080)').argParser(nonNegativeInt('--port')))
    .addOption(new Option('--max-batch <n>', 'most observations per batched forward pass; 1 turns micro-batching off (default: 256)').argParser(positiveInt('--max-batch')))
    .addOption(new Option('--max-wait-ms <ms>', 'longest wait to fill a batch; 0 turns micro-batching off (default: 1)').argParser(nonNegativeNumber('--max-wait-ms')))
    .option('--backend <name>', 'TensorFlow.js backend (default: auto)')
    .action(async (dir: string, opts: Record<string, unknown>) => {
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
    .description('Run the env checker on a registered env and print its findings; exit 0 when clean.')
    .argument('<id>', 'registered env id, e.g. CartPole-v1')
    .option('--json', 'print the findings as JSON (default: false)')
    .action(async (id: string, opts: { json?: boolean }) => {
      const { checkEnvCommand } = await import('./check-env.js');
      await checkEnvCommand(id, opts);
    });

  program
    .command('bench')
    .description('Run a benchmark, print its table and write results (benchmarks/results/, benchmarks/RESULTS.md).')
    .addArgument(new Command().createArgument('<which>', 'env | rollout | train | policy | serve | distributed | update').choices(['env', 'rollout', 'train', 'policy', 'serve', 'distributed', 'update']))
    .option('--quick', 'a short run (fewer sizes, seeds and repeats) (default: false)')
    .option('--no-peer', 'skip the PyTorch peer (rollout, train, update) (default: run it when installed)')
    .addOption(new Option('--seeds <list>', 'train: comma-separated seeds (default: 1,2,3,4,5; 1,2,3 with --quick)').argParser(intList('--seeds')))
    .option('--envs <list>', 'train: comma-separated env ids (default: CartPole-v1, Acrobot-v1, Pendulum-v1, MountainCar-v0)', (t: string) => t.split(',').map((s) => s.trim()).filter(Boolean))
    .addOption(new Option('--workers <list>', 'rollout: comma-separated worker-thread counts; runs the worker-thread rollout benchmark (default: off)').argParser(intList('--workers')))
    .option('--browser', 'rollout: tensor-native rollouts in headless Chromium on webgpu and webgl (default: off)')
    .addHelpText('after', '\n  env      env steps/s of generic vs native vector envs\n  rollout  batched rollout steps/s (policy + envs), wasm and cpu\n  train    time to solve CartPole-v1 (whole processes) and final returns of the other envs\n  policy   policy act() throughput vs bare tfjs\n  serve    rl serve over HTTP: requests/s and latency, micro-batching on vs off\n  distributed  one learner + 1/2/4 actor processes over a local NATS server vs one process\n  update   ms of one REINFORCE update at B = 1024, 4096, 16384 per backend, beside the PyTorch peer')
    .action(async (which: 'env' | 'rollout' | 'train' | 'policy' | 'serve' | 'distributed' | 'update', opts: { quick?: boolean; peer?: boolean; seeds?: number[]; envs?: string[]; workers?: number[]; browser?: boolean }) => {
      const { benchCommand } = await import('./bench.js');
      await benchCommand(which, opts);
    });

  return program;
}

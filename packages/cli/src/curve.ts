import type { MetricsRecord } from './metrics.js';

/** An evaluation drawn beside the training curve (the trainer's `TrainingEvaluation` fits). */
export interface CurveEvaluation {
  readonly envSteps: number;
  readonly iteration: number;
  readonly mean: number;
  readonly std: number;
  readonly episodes: number;
  /** It was the best so far when it was made. */
  readonly best: boolean;
}

/** Options of {@link curveSvg}. */
export interface CurveOptions {
  /** Plot title, e.g. the env id. */
  readonly title: string;
  /** Field of each record plotted on the y axis (default `returnMean`). */
  readonly field?: string;
  /** Horizontal rule at the env's reward threshold, when it has one. */
  readonly threshold?: number;
  /** Evaluations during training: their mean return (± std as a bar), the best one (the last marked best) as a diamond. */
  readonly evaluations?: readonly CurveEvaluation[];
}

const TRAINING_COLOR = '#1f77b4';
const EVAL_COLOR = '#ff7f0e';

/**
 * The learning curve (mean episode return vs env steps) as an SVG string, with the evaluations
 * during training beside it (mean ± std, the best marked), drawn by vega-lite and rendered
 * headless by vega. vega is loaded on first use, so commands that never plot
 * don't pay for it.
 *
 * @example
 * writeFileSync('curve.svg', await curveSvg(records, { title: 'CartPole-v1' }));
 */
export async function curveSvg(records: readonly MetricsRecord[], opts: CurveOptions): Promise<string> {
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  const field = opts.field ?? 'returnMean';
  const values = records
    .filter((r) => typeof r[field] === 'number' && Number.isFinite(r[field]))
    .map((r) => ({ envSteps: r.envSteps, value: r[field] as number, iteration: r.iteration }));
  const evals = (opts.evaluations ?? []).filter((e) => Number.isFinite(e.mean));
  const trainingName = field === 'returnMean' ? 'training (mean of recent episodes)' : field;
  const evalName = evals.length ? `evaluation (${evals[evals.length - 1]!.episodes} episodes)` : 'evaluation';
  const color = {
    field: 'series',
    type: 'nominal',
    title: null,
    scale: { domain: evals.length ? [trainingName, evalName] : [trainingName], range: evals.length ? [TRAINING_COLOR, EVAL_COLOR] : [TRAINING_COLOR] },
    legend: evals.length ? { orient: 'bottom', labelLimit: 360 } : null,
  };
  const x = { field: 'envSteps', type: 'quantitative', title: 'env steps' };
  const line = {
    data: { values: values.map((v) => ({ ...v, series: trainingName })) },
    mark: { type: 'line', point: values.length < 40 },
    encoding: { x, y: { field: 'value', type: 'quantitative', title: 'mean episode return' }, color },
  };
  const layers: unknown[] = [line];
  if (evals.length) {
    const rows = evals.map((e) => ({ envSteps: e.envSteps, iteration: e.iteration, value: e.mean, lo: e.mean - e.std, hi: e.mean + e.std, series: evalName }));
    layers.push(
      { data: { values: rows }, mark: { type: 'rule', opacity: 0.5 }, encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color } },
      { data: { values: rows }, mark: { type: 'line', point: true, strokeDash: [2, 2] }, encoding: { x, y: { field: 'value', type: 'quantitative' }, color } },
    );
    const best = [...evals].reverse().find((e) => e.best);
    if (best) {
      layers.push({
        data: { values: [{ envSteps: best.envSteps, value: best.mean, label: `best (iteration ${best.iteration})` }] },
        layer: [
          { mark: { type: 'point', shape: 'diamond', size: 160, filled: true, color: EVAL_COLOR, stroke: 'black' } },
          { mark: { type: 'text', dy: -14, fontSize: 11 }, encoding: { text: { field: 'label' } } },
        ],
        encoding: { x, y: { field: 'value', type: 'quantitative' } },
      });
    }
  }
  if (opts.threshold !== undefined) {
    layers.push({
      data: { values: [{ threshold: opts.threshold }] },
      mark: { type: 'rule', strokeDash: [4, 4], color: '#999' },
      encoding: { y: { field: 'threshold', type: 'quantitative' } },
    });
  }
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `${opts.title}: ${field} vs env steps`,
    width: 560,
    height: 300,
    background: 'white',
    layer: layers,
  };
  // vega-lite's TopLevelSpec type is a deep union; the spec above is plain JSON it validates at compile time.
  const compiled = vegaLite.compile(spec as Parameters<typeof vegaLite.compile>[0]);
  const view = new vega.View(vega.parse(compiled.spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

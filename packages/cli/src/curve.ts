import type { MetricsRecord } from './metrics.js';

/** Options of {@link curveSvg}. */
export interface CurveOptions {
  /** Plot title, e.g. the env id. */
  readonly title: string;
  /** Field of each record plotted on the y axis (default `returnMean`). */
  readonly field?: string;
  /** Horizontal rule at the env's reward threshold, when it has one. */
  readonly threshold?: number;
}

/**
 * The learning curve (mean episode return vs env steps) as an SVG string, drawn by vega-lite
 * and rendered headless by vega. vega is loaded on first use, so commands that never plot
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
  const line = {
    mark: { type: 'line', point: values.length < 40, color: '#1f77b4' },
    encoding: {
      x: { field: 'envSteps', type: 'quantitative', title: 'env steps' },
      y: { field: 'value', type: 'quantitative', title: 'mean episode return' },
    },
  };
  const layers: unknown[] = [line];
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
    data: { values },
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

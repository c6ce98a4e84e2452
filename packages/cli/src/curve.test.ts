import { describe, expect, it } from 'vitest';
import { curveSvg } from './curve.js';

describe('curveSvg', () => {
  it('draws return vs env steps as a standalone SVG with axis titles and the threshold rule', async () => {
    const recs = Array.from({ length: 30 }, (_, i) => ({ iteration: i + 1, envSteps: (i + 1) * 2048, wallSeconds: i, returnMean: i < 2 ? null : 20 + i * 10 }));
    const svg = await curveSvg(recs, { title: 'CartPole-v1', threshold: 475 });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('env steps');
    expect(svg).toContain('mean episode return');
    expect(svg).toContain('CartPole-v1');
    expect(svg).toMatch(/<path[^>]+d="M[\d.]+,[\d.]+L/); // a drawn polyline
  });
});

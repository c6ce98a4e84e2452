import { describe, expect, it } from 'vitest';
import { compactCount, compactSeconds, progressLine, type ProgressFields } from './progress.js';

describe('the training progress bar', () => {
  it('fits an 80-column terminal, the return included, at every extreme', () => {
    const counts = [0, 7, 999, 1000, 9_995, 99_950, 999_499, 999_700, 1_234_567, 99_999_999, 5e12];
    const returns = [undefined, 0, 500, -1234.56, -99_999.9, 123_456_789, -5e9];
    const seconds = [0, 59.96, 61, 3599, 3600, 359_999];
    let lines = 0;
    for (const n of counts) {
      for (const r of returns) {
        for (const s of seconds) {
          const f: ProgressFields = { iteration: n, envSteps: n, totalSteps: Math.max(n, 1), stepsPerSecond: n, returnMean: r, seconds: s };
          const line = progressLine(f);
          expect([...line].length, line).toBeLessThanOrEqual(79);
          expect(line).toMatch(/\| return (–|-?[\d.]+[kMGT]?) \|/);
          lines++;
        }
      }
    }
    expect(lines).toBe(counts.length * returns.length * seconds.length);
  });

  it('shows the fill, percent, iteration, steps, rate, return and time', () => {
    const line = progressLine({ iteration: 293, envSteps: 150_016, totalSteps: 300_000, stepsPerSecond: 81_330, returnMean: 497.63, seconds: 3.7 });
    expect(line).toBe('██████░░░░░░  50% | it 293 | 150k/300k | 81.3k/s | return 497.6 | 3.7s');
    expect(progressLine({ iteration: 0, envSteps: 0, totalSteps: 300_000, stepsPerSecond: undefined, returnMean: undefined, seconds: 0 })).toBe(
      '░░░░░░░░░░░░   0% | it 0 | 0/300k | –/s | return – | 0.0s',
    );
  });

  it('writes counts in at most 5 characters and times in at most 6', () => {
    expect([0, 999, 1000, 1234, 99_949, 123_456, 999_700, 2_500_000].map(compactCount)).toEqual(['0', '999', '1.00k', '1.23k', '99.9k', '123k', '1.00M', '2.50M']);
    expect([5.25, 75, 3725].map(compactSeconds)).toEqual(['5.3s', '1m15s', '1h02m']);
  });
});

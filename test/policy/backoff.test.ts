import { backoffDelay } from '../../lib/policy/backoff';

describe('backoffDelay: min(max, base × factor^(attempt−1)), then jittered', () => {
  const backoff = { baseMs: 600_000, factor: 2, maxMs: 7_200_000 };

  it.each([
    [0, 'none', 0.5, 600_000], // never below the base, whatever the caller passes
    [1, 'none', 0.5, 600_000],
    [2, 'none', 0.5, 1_200_000],
    [4, 'none', 0.5, 4_800_000],
    [5, 'none', 0.5, 7_200_000],
    [9, 'none', 0.5, 7_200_000],
    [1, 'equal', 0, 300_000],
    [1, 'equal', 0.5, 450_000],
    [1, 'equal', 0.999999, 599_999],
    [3, 'equal', 0.25, 1_500_000],
    [2, 'full', 0, 0],
    [2, 'full', 0.25, 300_000],
    [2, 'full', 0.999999, 1_199_998],
  ] as const)('attempt %i, jitter %s, random %f → %i ms', (attempt, jitter, random, expected) => {
    expect(backoffDelay(attempt, { ...backoff, jitter }, () => random)).toBe(expected);
  });

  it('draws no random number without jitter', () => {
    const random = jest.fn(() => 0.5);
    expect(backoffDelay(1, { ...backoff, jitter: 'none' }, random)).toBe(600_000);
    expect(random).not.toHaveBeenCalled();
  });
});

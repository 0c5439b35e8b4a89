import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jaroWinkler, lcs, lcsDp, tokenSet } from './similarity.js';

describe('Jaro-Winkler', () => {
  it('gives the textbook values', () => {
    expect(jaroWinkler('MARTHA', 'MARHTA')).toBeCloseTo(0.9611, 4);
    expect(jaroWinkler('DWAYNE', 'DUANE')).toBeCloseTo(0.84, 4);
    expect(jaroWinkler('DIXON', 'DICKSONX')).toBeCloseTo(0.8133, 4);
    expect(jaroWinkler('JELLYFISH', 'SMELLYFISH')).toBeCloseTo(0.8963, 4);
  });

  it('is 1 for equal text, 0 with nothing in common, and symmetric', () => {
    expect(jaroWinkler('META', 'META')).toBe(1);
    expect(jaroWinkler('ABC', 'XYZ')).toBe(0);
    expect(jaroWinkler('', 'A')).toBe(0);
    fc.assert(fc.property(fc.string(), fc.string(), (a, b) => Math.abs(jaroWinkler(a, b) - jaroWinkler(b, a)) < 1e-12));
  });
});

describe('token set', () => {
  it('ignores order and repeats, and scores a subset as 1', () => {
    expect(tokenSet('INSTAGRAM FEED', 'SPRING SALE - INSTAGRAM FEED - MAR 2026')).toBe(1);
    expect(tokenSet('FEED INSTAGRAM FEED', 'INSTAGRAM FEED')).toBe(1);
    expect(tokenSet('ALPHA', 'OMEGA')).toBeLessThan(0.5);
  });

  it('matches the token_set_ratio definition on a partial overlap', () => {
    // t0 = "FEED", t1 = "FEED INSTAGRAM", t2 = "FEED FACEBOOK": best is max(8/18, 8/17, 2·LCS(t1,t2)/27)
    const s = tokenSet('INSTAGRAM FEED', 'FACEBOOK FEED');
    expect(s).toBeCloseTo(Math.max(8 / 18, 8 / 17, (2 * (5 + lcsDp('INSTAGRAM', 'FACEBOOK'))) / 27), 10);
  });

  it('bit-parallel LCS equals the dynamic-programming LCS', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'b', 'c', ' ', 'é'), maxLength: 90 });
    fc.assert(fc.property(text, text, (a, b) => lcs(a, b) === lcsDp(a, b)), { numRuns: 500 });
  });
});

describe('threshold checks', () => {
  it('similarAtLeast agrees with similarity ≥ threshold', async () => {
    const { similarAtLeast, similarity } = await import('./similarity.js');
    const words = fc.array(fc.constantFrom('META', 'FEED', 'SPRING', 'SALE', '2026', 'MAR', 'X', 'INSTAGRAM'), { maxLength: 6 }).map((w) => w.join(' '));
    fc.assert(
      fc.property(words, words, fc.constantFrom(0.5, 0.7, 0.8, 0.9, 1), fc.constantFrom('jaro_winkler' as const, 'token_set' as const), (a, b, t, m) => {
        expect(similarAtLeast(m, a, b, t)).toBe(similarity(m, a, b) >= t || a === b);
      }),
      { numRuns: 1000 },
    );
  });
});

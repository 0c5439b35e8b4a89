import { describe, expect, it } from 'vitest';
import { idleCoresBetween } from './idle-cores.js';

const core = (user: number, idle: number) => ({ times: { user, nice: 0, sys: 0, irq: 0, idle } });

describe('idle cores', () => {
  it('counts each core by the share of the interval it sat idle', () => {
    const before = [core(1000, 5000), core(2000, 7000)];
    // Core 0 idle throughout; core 1 busy three quarters of the time.
    const after = [core(1000, 5200), core(2150, 7050)];
    expect(idleCoresBetween(before, after)).toBeCloseTo(1.25, 5);
  });

  it('tells nothing from a core whose counters did not move', () => {
    expect(idleCoresBetween([core(10, 10)], [core(10, 10)])).toBe(0);
  });
});

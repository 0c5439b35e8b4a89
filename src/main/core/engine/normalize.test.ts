import { describe, expect, it } from 'vitest';
import { applyChain, compileChain } from './normalize.js';
import type { NormalizerStep } from './rule-set.js';

const rs = {
  normalizers: { po: ['upper', 'alnum', { op: 'strip_prefix', values: ['PO'] }] as NormalizerStep[] },
  aliases: { vendors: { 'Meta Platforms, Inc.': 'Meta', 'META PLATFORMS INC': 'Meta', 'Facebook Ads': 'Meta' } },
};
const run = (steps: NormalizerStep[] | string, v: string | number | null) => applyChain(compileChain(steps, rs), v);

describe('normalizers', () => {
  it('trim, upper, lower, collapse_spaces', () => {
    expect(run(['trim'], '  a b  ')).toBe('a b');
    expect(run(['upper'], 'abc')).toBe('ABC');
    expect(run(['lower'], 'ABC')).toBe('abc');
    expect(run(['collapse_spaces'], ' a \t  b ')).toBe('a b');
  });

  it('alnum keeps letters and digits of any script', () => {
    expect(run(['alnum'], 'IO-2026/004512 03')).toBe('IO202600451203');
    expect(run(['alnum'], 'Société Générale, S.A.')).toBe('SociétéGénéraleSA');
  });

  it('strip_prefix removes the longest listed prefix once, after earlier steps', () => {
    expect(run('po', 'PO# IO-2026-004512-03')).toBe('IO202600451203');
    expect(run('po', 'po:io2026004512-03')).toBe('IO202600451203');
    expect(run(['upper', { op: 'strip_prefix', values: ['P', 'PO'] }], 'POPX')).toBe('PX');
    expect(run(['upper', { op: 'strip_suffix', values: ['-OLD', '-X'] }], 'inv-1-old')).toBe('INV-1');
  });

  it('regex_extract keeps the first capture group; no match means no value', () => {
    const re: NormalizerStep = { op: 'regex_extract', pattern: 'INV[ #:-]*(\\d+)', flags: 'i' };
    expect(run([re], 'Payment for inv #00123, thanks')).toBe('00123');
    expect(run([re, 'strip_leading_zeros'], 'INV-000')).toBe('0');
    expect(run([re], 'no reference')).toBeNull();
  });

  it('month turns a LocalDate into YYYY-MM and rejects other text', () => {
    expect(run(['month'], '2026-03-14')).toBe('2026-03');
    expect(run(['month'], 'March')).toBeNull();
  });

  it('alias tables map variants to the canonical, compared after the earlier steps', () => {
    const chain: NormalizerStep[] = ['upper', 'alnum', { op: 'alias', table: 'vendors' }];
    expect(run(chain, 'META PLATFORMS INC')).toBe('META');
    expect(run(chain, 'Meta Platforms, Inc.')).toBe('META');
    expect(run(chain, 'facebook ads')).toBe('META');
    expect(run(chain, 'Meta')).toBe('META');
    expect(run(chain, 'Google LLC')).toBe('GOOGLELLC');
  });

  it('missing and empty values have no key', () => {
    expect(run(['trim'], null)).toBeNull();
    expect(run(['trim'], '   ')).toBeNull();
    expect(run(['alnum'], '--')).toBeNull();
    expect(run([], 12050)).toBe('12050');
  });

  it('equal chains share a signature whether named or inline', () => {
    expect(compileChain('po', rs).signature).toBe(compileChain(rs.normalizers.po, rs).signature);
    expect(compileChain(['upper'], rs).signature).not.toBe(compileChain(['lower'], rs).signature);
  });
});

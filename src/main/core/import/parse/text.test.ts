import { describe, expect, it } from 'vitest';
import { parseText } from './text.js';

describe('parseText', () => {
  it('trims and collapses runs of whitespace into one space', () => {
    expect(parseText('  ACME   Corp\t\nLtd  ')).toBe('ACME Corp Ltd');
  });
  it('turns NBSP and narrow NBSP into plain spaces', () => {
    expect(parseText('ACME\u00a0Corp\u202fLtd')).toBe('ACME Corp Ltd');
  });
  it('returns an empty string for blank input', () => {
    expect(parseText('')).toBe('');
    expect(parseText(' \u00a0\t ')).toBe('');
  });
  it('returns clean text unchanged', () => {
    expect(parseText('ACME Corp')).toBe('ACME Corp');
  });
});

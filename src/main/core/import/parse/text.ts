import { isSpace } from './chars.js';

const SPACE_RUN = /\s+/g;

/**
 * Trimmed text with every run of whitespace (tabs, newlines, NBSP, narrow NBSP...) as one
 * space, so "ACME  Corp\u00a0Ltd" and "ACME Corp Ltd" compare equal. Blank gives ''.
 * Never fails.
 */
export function parseText(raw: string): string {
  // Most cells are already clean; return them without allocating.
  const n = raw.length;
  for (let i = 0; i < n; i++) {
    const c = raw.charCodeAt(i);
    if (c === 32) {
      if (i === 0 || i === n - 1 || raw.charCodeAt(i + 1) === 32) return raw.replace(SPACE_RUN, ' ').trim();
    } else if (isSpace(c)) {
      return raw.replace(SPACE_RUN, ' ').trim();
    }
  }
  return raw;
}

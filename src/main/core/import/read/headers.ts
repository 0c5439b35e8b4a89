/** Header-row helpers shared by the CSV and spreadsheet readers. */

/**
 * Make header names usable as column keys: trim, name blanks `Column N` (N = 1-based position),
 * and suffix repeats ` (2)`, ` (3)`; repeats are compared case-insensitively.
 */
export function dedupeHeaders(names: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  // Reserve the given names first so a generated "Amount (2)" never collides with a real one.
  const given = new Set(names.map((n) => n.trim().toLowerCase()).filter((n) => n !== ''));
  names.forEach((raw, i) => {
    let name = raw.trim().replace(/\s+/g, ' ');
    if (name === '') name = `Column ${i + 1}`;
    let candidate = name;
    for (let k = 2; seen.has(candidate.toLowerCase()) || (candidate !== name && given.has(candidate.toLowerCase())); k++) {
      candidate = `${name} (${k})`;
    }
    seen.add(candidate.toLowerCase());
    out.push(candidate);
  });
  return out;
}

/** What the header detector needs to know about one sampled row. */
export interface HeaderCandidate {
  /** Cells with a non-blank value. */
  nonEmpty: number;
  /** Of those, cells that read as text (not a number, amount or date). */
  text: number;
}

/** How many leading rows the header detector looks at. */
export const HEADER_SCAN_ROWS = 20;

/**
 * Index of the header among the sampled rows (title rows may sit above it): the first row with
 * at least 2 non-blank cells, at least 80% as many as the table's width, and at least half of
 * them text. The width is the widest sampled row ('max', for spreadsheets, whose data rows may
 * be sparse) or the most common non-blank count ('mode', for CSV, where one ragged row with extra
 * cells must not outweigh the header). Falls back to the first non-blank row.
 */
export function detectHeaderIndex(rows: readonly HeaderCandidate[], width: 'max' | 'mode' = 'max'): number {
  const sample = rows.slice(0, HEADER_SCAN_ROWS);
  const ref = width === 'max' ? Math.max(0, ...sample.map((r) => r.nonEmpty)) : modeWidth(sample);
  const need = Math.max(2, Math.ceil(ref * 0.8));
  if (ref >= 2) {
    const i = sample.findIndex((r) => r.nonEmpty >= need && r.text * 2 >= r.nonEmpty);
    if (i >= 0) return i;
  }
  const first = sample.findIndex((r) => r.nonEmpty > 0);
  return first >= 0 ? first : 0;
}

/** The most common non-blank count among rows with 2 or more; ties go to the wider. */
function modeWidth(rows: readonly HeaderCandidate[]): number {
  const freq = new Map<number, number>();
  for (const r of rows) if (r.nonEmpty >= 2) freq.set(r.nonEmpty, (freq.get(r.nonEmpty) ?? 0) + 1);
  let best = 0;
  let bestFreq = 0;
  for (const [w, f] of freq) {
    if (f > bestFreq || (f === bestFreq && w > best)) {
      best = w;
      bestFreq = f;
    }
  }
  return best;
}

const NUMBERISH = /^[\s$€£¥+\-(]*\d[\d.,'\s]*\)?\s*%?-?$/;
const DATEISH = /^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}(?:[ T].*)?$/;

/** A cell text that reads as a value (amount, number, date) rather than a column name. */
export function looksLikeValue(s: string): boolean {
  const t = s.trim();
  return t !== '' && (NUMBERISH.test(t) || DATEISH.test(t));
}

export function candidateFromTexts(cells: readonly string[]): HeaderCandidate {
  let nonEmpty = 0;
  let text = 0;
  for (const c of cells) {
    if (c.trim() === '') continue;
    nonEmpty++;
    if (!looksLikeValue(c)) text++;
  }
  return { nonEmpty, text };
}

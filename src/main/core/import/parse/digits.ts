import { isApostrophe, isDigit, isGroupSpace } from './chars.js';
import { Rejection } from './rejection.js';

/**
 * Reading the digits-and-separators body of a number ("1.234.567,89", "1 234,5", "12,34,567.00"),
 * shared by amounts, integers and decimals so they agree on what a separator means.
 */

export type DecimalMark = '.' | ',';

/** Where the whole and fractional digits of a body are. Callers own one and pass it in, to avoid an allocation per cell. */
export interface DigitSpan {
  intStart: number;
  /** End of the whole part (the decimal mark's index, or the body's end). */
  intEnd: number;
  fracStart: number;
  fracEnd: number;
  /** The whole part contains group separators. */
  grouped: boolean;
}

export function newDigitSpan(): DigitSpan {
  return { intStart: 0, intEnd: 0, fracStart: 0, fracEnd: 0, grouped: false };
}

function isSeparator(c: number): boolean {
  return c === 46 || c === 44 || isGroupSpace(c) || isApostrophe(c);
}

/** A body starts at a digit, or at "." / "," directly before a digit (".5"). */
export function startsBody(s: string, i: number, end: number): boolean {
  const c = s.charCodeAt(i);
  if (isDigit(c)) return true;
  return (c === 46 || c === 44) && i + 1 < end && isDigit(s.charCodeAt(i + 1));
}

/**
 * End of the body that starts at `i`: digits, with separators only where a digit follows,
 * so "1 234,50 €" stops before " €" and "120.00 CR" before " CR".
 */
export function bodyEnd(s: string, i: number, end: number): number {
  while (i < end) {
    const c = s.charCodeAt(i);
    if (isDigit(c)) i++;
    else if (isSeparator(c) && i + 1 < end && isDigit(s.charCodeAt(i + 1))) i += 2;
    else break;
  }
  return i;
}

const SPACE_CLASS = 1;
const APOSTROPHE_CLASS = 2;
const COMMA_CLASS = 3;
const DOT_CLASS = 4;

function separatorClass(c: number): number {
  if (c === 44) return COMMA_CLASS;
  if (c === 46) return DOT_CLASS;
  if (isApostrophe(c)) return APOSTROPHE_CLASS;
  return SPACE_CLASS;
}

/**
 * Without a known decimal mark, a lone separator followed by exactly three digits after a
 * 1-3 digit whole part without a leading zero is a thousands separator ("1,234"); anything
 * else is the decimal mark ("1,5", "0.125", "1234.567").
 */
function loneSeparatorIsGroup(s: string, start: number, p: number, end: number): boolean {
  const wholeLen = p - start;
  return end - p - 1 === 3 && wholeLen >= 1 && wholeLen <= 3 && s.charCodeAt(start) !== 48;
}

/**
 * Split the body s[start, end) (as delimited by bodyEnd) into whole and fraction, checking
 * the grouping. Returns null on success with `out` filled in.
 */
export function scanDigits(
  s: string,
  start: number,
  end: number,
  decimal: DecimalMark | undefined,
  out: DigitSpan,
): Rejection | null {
  let dots = 0;
  let commas = 0;
  let others = 0;
  let lastDot = -1;
  let lastComma = -1;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      dots++;
      lastDot = i;
    } else if (c === 44) {
      commas++;
      lastComma = i;
    } else if (!isDigit(c)) others++;
  }

  let mark = -1;
  if (decimal === '.') {
    if (dots > 1) return new Rejection('has more than one decimal point');
    mark = lastDot;
  } else if (decimal === ',') {
    if (commas > 1) return new Rejection('has more than one decimal comma');
    mark = lastComma;
  } else if (dots > 0 && commas > 0) {
    // Both present: whichever comes last is the decimal mark, and it may appear only once.
    if (lastDot > lastComma) {
      if (dots > 1) return new Rejection('mixes "." and "," in a way that is not a number');
      mark = lastDot;
    } else {
      if (commas > 1) return new Rejection('mixes "." and "," in a way that is not a number');
      mark = lastComma;
    }
  } else if (dots + commas === 1) {
    const p = dots === 1 ? lastDot : lastComma;
    if (others > 0 || !loneSeparatorIsGroup(s, start, p, end)) mark = p;
  }

  out.intStart = start;
  out.intEnd = mark < 0 ? end : mark;
  out.fracStart = mark < 0 ? end : mark + 1;
  out.fracEnd = end;
  out.grouped = false;

  for (let i = out.fracStart; i < end; i++) {
    if (!isDigit(s.charCodeAt(i))) return new Rejection('has a separator inside its decimal places');
  }
  return checkGroups(s, start, out.intEnd, out);
}

/**
 * Groups after the first are all three digits (1,234,567) or, Indian style, twos ending in a
 * three (12,34,567). One kind of separator only; no leading zero before a separator.
 */
function checkGroups(s: string, start: number, end: number, out: DigitSpan): Rejection | null {
  let sepClass = 0;
  let groupLen = 0;
  let groups = 0;
  let firstLen = 0;
  let middleLen = 0; // length shared by the groups between the first and the last; 0 = none yet
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (isDigit(c)) {
      groupLen++;
      continue;
    }
    const cls = separatorClass(c);
    if (sepClass === 0) sepClass = cls;
    else if (cls !== sepClass) return new Rejection('mixes different digit group separators');
    if (groups === 0) {
      if (groupLen === 0 || groupLen > 3) return new Rejection('has misplaced digit group separators');
      if (s.charCodeAt(start) === 48) return new Rejection('has a digit group separator after a leading zero');
      firstLen = groupLen;
    } else {
      if (groupLen !== 2 && groupLen !== 3) return new Rejection('has misplaced digit group separators');
      if (middleLen === 0) middleLen = groupLen;
      else if (groupLen !== middleLen) return new Rejection('has misplaced digit group separators');
    }
    groups++;
    groupLen = 0;
  }
  if (groups === 0) return null;
  if (groupLen !== 3) return new Rejection('has misplaced digit group separators');
  // Indian grouping (middle groups of 2) allows a first group of 1-2 digits only.
  if (middleLen === 2 && firstLen > 2) return new Rejection('has misplaced digit group separators');
  out.grouped = true;
  return null;
}

/**
 * Evidence about the decimal mark from one value, for column sniffing: the mark it must use,
 * or null when the value cannot tell (no separator, or "1,234").
 */
export function decimalEvidence(s: string): DecimalMark | null {
  const end = s.length;
  let i = 0;
  while (i < end && !startsBody(s, i, end)) i++;
  if (i >= end) return null;
  const stop = bodyEnd(s, i, end);
  let dots = 0;
  let commas = 0;
  let others = 0;
  let lastDot = -1;
  let lastComma = -1;
  for (let j = i; j < stop; j++) {
    const c = s.charCodeAt(j);
    if (c === 46) {
      dots++;
      lastDot = j;
    } else if (c === 44) {
      commas++;
      lastComma = j;
    } else if (!isDigit(c)) others++;
  }
  if (dots > 0 && commas > 0) return lastDot > lastComma ? '.' : ',';
  if (dots > 1) return ',';
  if (commas > 1) return '.';
  if (dots + commas === 0) return null;
  const p = dots === 1 ? lastDot : lastComma;
  const mark: DecimalMark = dots === 1 ? '.' : ',';
  if (others > 0 || !loneSeparatorIsGroup(s, i, p, stop)) return mark;
  return null;
}

/** What `scanPlain` found: where the digits start (after a leading "-") and the one mark, or -1. */
export interface PlainNumber {
  start: number;
  mark: number;
}

/**
 * A plain number, the form most cells of a numeric column take: an optional leading "-", ASCII
 * digits and at most one `markChar` (46 "." or 44 ","), nothing else; false otherwise. The
 * parsers use it to skip their general scanners. Fills `out` and returns true when plain.
 */
export function scanPlain(raw: string, markChar: number, out: PlainNumber): boolean {
  const end = raw.length;
  const start = end > 0 && raw.charCodeAt(0) === 45 /* - */ ? 1 : 0;
  let mark = -1;
  for (let i = start; i < end; i++) {
    const c = raw.charCodeAt(i);
    if (c >= 48 && c <= 57) continue;
    if (c !== markChar || mark >= 0) return false;
    mark = i;
  }
  out.start = start;
  out.mark = mark;
  return true;
}


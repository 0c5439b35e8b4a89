/** Character classes by UTF-16 code, so hot loops compare numbers instead of building strings. */

export function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

export function isAsciiLetter(c: number): boolean {
  const lower = c | 32;
  return lower >= 97 && lower <= 122 && c < 128;
}

/** The same set as String.prototype.trim and the regex \s, so all our trimming agrees. */
export function isSpace(c: number): boolean {
  // Most characters are printable ASCII, none of which is a space: settle those first.
  if (c > 32 && c < 0xa0) return false;
  return (
    c === 32 ||
    (c >= 9 && c <= 13) ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/** Spaces that locales put between digit groups: space, NBSP (de/fr), narrow NBSP (fr via Intl), thin space. */
export function isGroupSpace(c: number): boolean {
  return c === 32 || c === 0xa0 || c === 0x202f || c === 0x2009;
}

/** Swiss grouping: 1'234.50, sometimes typeset with a right single quote. */
export function isApostrophe(c: number): boolean {
  return c === 0x27 || c === 0x2019;
}

/** Minus signs seen in exports: ASCII hyphen, the Unicode minus, and the en dash some typesetters use. */
export function isMinus(c: number): boolean {
  return c === 45 || c === 0x2212 || c === 0x2013;
}

/** First index that is not whitespace, or `end`. */
export function skipSpaceForward(s: string, i: number, end: number): number {
  while (i < end && isSpace(s.charCodeAt(i))) i++;
  return i;
}

/** One past the last index that is not whitespace, or `start`. */
export function skipSpaceBackward(s: string, start: number, end: number): number {
  while (end > start && isSpace(s.charCodeAt(end - 1))) end--;
  return end;
}

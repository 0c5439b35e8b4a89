/**
 * CSV for people who will open it in Excel: RFC 4180 quoting, and cells that a spreadsheet
 * would run as a formula (=, +, -, @, tab, CR first) are neutralized with a leading quote.
 * Numbers we write ourselves (amounts) pass `trusted` so "-120.00" stays a number.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function neutralizeFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

export function csvCell(value: unknown, trusted = false): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (!trusted) text = neutralizeFormula(text);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(cells: unknown[], trustedColumns?: ReadonlySet<number>): string {
  return cells.map((c, i) => csvCell(c, trustedColumns?.has(i) ?? false)).join(',') + '\n';
}

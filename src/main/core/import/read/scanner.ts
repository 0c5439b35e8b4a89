/**
 * The CSV character scanner: a state machine fed decoded text chunks of any size.
 * It slices fields out of each chunk with substring (no per-character allocation) and carries
 * a partial field across chunk boundaries, so memory is bounded by the longest record.
 */

/** One record as scanned: `row` is the 1-based physical line where it starts. */
export interface RawRecord {
  row: number;
  cells: string[];
  issues?: string[];
  extra?: string[];
}

const LF = 10;
const CR = 13;
const QUOTE = 34;

const S_START = 0; // at the start of a field
const S_UNQUOTED = 1;
const S_QUOTED = 2;
const S_QUOTE_IN_QUOTED = 3; // saw '"' inside a quoted field: closing quote or first of a doubled one

export class CsvScanner {
  /** Header names, once known, so issues can say `column 3 ("Vendor")`. */
  columnNames: readonly string[] | undefined;

  private readonly delim: number;
  private readonly maxSpecial: number;
  private state = S_START;
  private field = '';
  private cells: string[] = [];
  private line = 1;
  private recordLine = 1;
  private quoteLine = 1;
  private prevCR = false;
  private issues: string[] | undefined;

  constructor(delimiter: string) {
    if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
      throw new RangeError(`unsupported delimiter ${JSON.stringify(delimiter)}`);
    }
    this.delim = delimiter.charCodeAt(0);
    this.maxSpecial = Math.max(this.delim, QUOTE);
  }

  /** Scan `s` from `from` to `to`; complete records are appended to `out`. */
  feed(s: string, out: RawRecord[], from = 0, to = s.length): void {
    const n = to;
    if (from >= n) return;
    const d = this.delim;
    const maxSpecial = this.maxSpecial;
    let state = this.state;
    let field = this.field;
    let cells = this.cells;
    let line = this.line;
    let i = from;
    let seg = from;
    let c = 0;

    while (i < n) {
      if (state === S_START) {
        c = s.charCodeAt(i);
        if (c === QUOTE) {
          if (cells.length === 0) this.recordLine = line;
          this.quoteLine = line;
          state = S_QUOTED;
          seg = ++i;
          continue;
        }
        if (c === d) {
          if (cells.length === 0) this.recordLine = line;
          cells.push('');
          i++;
          continue;
        }
        if (c === LF || c === CR) {
          if (c === CR || !(i > 0 ? s.charCodeAt(i - 1) === CR : this.prevCR)) line++;
          if (cells.length > 0) {
            cells.push('');
            this.emit(cells, out);
            cells = [];
          }
          i++;
          continue;
        }
        if (cells.length === 0) this.recordLine = line;
        state = S_UNQUOTED;
        seg = i;
      }

      if (state === S_UNQUOTED) {
        for (; i < n; i++) {
          c = s.charCodeAt(i);
          if (c <= maxSpecial && (c === d || c === LF || c === CR || c === QUOTE)) {
            if (c !== QUOTE) break;
            this.addIssue(`stray quote in ${this.col(cells.length)} kept as text`);
          }
        }
        if (i === n) {
          field = field.length === 0 ? s.substring(seg, n) : field + s.substring(seg, n);
          break;
        }
        cells.push(field.length === 0 ? s.substring(seg, i) : field + s.substring(seg, i));
        field = '';
        state = S_START;
        if (c !== d) {
          if (c === CR || !(i > 0 ? s.charCodeAt(i - 1) === CR : this.prevCR)) line++;
          this.emit(cells, out);
          cells = [];
        }
        i++;
        continue;
      }

      if (state === S_QUOTED) {
        for (; i < n; i++) {
          c = s.charCodeAt(i);
          if (c === QUOTE) break;
          if (c === LF) {
            if (!(i > 0 ? s.charCodeAt(i - 1) === CR : this.prevCR)) line++;
          } else if (c === CR) {
            line++;
          }
        }
        if (i === n) {
          field += s.substring(seg, n);
          break;
        }
        field += s.substring(seg, i);
        state = S_QUOTE_IN_QUOTED;
        i++;
        continue;
      }

      // S_QUOTE_IN_QUOTED
      c = s.charCodeAt(i);
      if (c === QUOTE) {
        field += '"';
        state = S_QUOTED;
        seg = ++i;
        continue;
      }
      if (c === d || c === LF || c === CR) {
        cells.push(field);
        field = '';
        state = S_START;
        if (c !== d) {
          if (c === CR || !(i > 0 ? s.charCodeAt(i - 1) === CR : this.prevCR)) line++;
          this.emit(cells, out);
          cells = [];
        }
        i++;
        continue;
      }
      // Keep the text literally, as spreadsheet apps do, and carry on as an unquoted field.
      this.addIssue(`text after the closing quote in ${this.col(cells.length)} kept as part of the value`);
      state = S_UNQUOTED;
      seg = i;
    }

    this.state = state;
    this.field = field;
    this.cells = cells;
    this.line = line;
    this.prevCR = s.charCodeAt(n - 1) === CR;
  }

  /** End of input: flush the last record (which may lack a final newline). */
  end(out: RawRecord[]): void {
    const cells = this.cells;
    switch (this.state) {
      case S_START:
        if (cells.length === 0) return;
        cells.push('');
        break;
      case S_QUOTED:
        this.addIssue(
          `unterminated quote in ${this.col(cells.length)} opened on line ${this.quoteLine}; ` +
            'the rest of the file was read into this cell',
        );
        cells.push(this.field);
        break;
      default:
        cells.push(this.field);
    }
    this.emit(cells, out);
    this.cells = [];
    this.field = '';
    this.state = S_START;
  }

  private emit(cells: string[], out: RawRecord[]): void {
    const issues = this.issues;
    if (issues === undefined && isBlank(cells)) return;
    if (issues === undefined) {
      out.push({ row: this.recordLine, cells });
    } else {
      out.push({ row: this.recordLine, cells, issues });
      this.issues = undefined;
    }
  }

  private addIssue(msg: string): void {
    const issues = (this.issues ??= []);
    if (issues[issues.length - 1] !== msg) issues.push(msg);
  }

  private col(index: number): string {
    const name = this.columnNames?.[index];
    return name === undefined ? `column ${index + 1}` : `column ${index + 1} ("${name}")`;
  }
}

/** Blank lines and delimiter-only lines (",,,") carry no data and are skipped. */
function isBlank(cells: string[]): boolean {
  for (let k = 0; k < cells.length; k++) if (cells[k]!.length !== 0) return false;
  return true;
}

import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { TieoutError } from '../../../shared/error.js';
import { isCaseKind, type CaseKind } from './kinds.js';

/** One planted case instance from truth.csv. */
export interface TruthRow {
  case: CaseKind;
  /** Buy Line IDs; empty for `unauthorized`. */
  buyLineIds: string[];
  /** `<Invoice No>#<Invoice Line>` keys; empty for `unbilled`. */
  invoiceKeys: string[];
}

/** Splits one CSV line, honouring RFC 4180 quotes (truth.csv never needs them, but may be re-saved by a tool). */
function splitCsvLine(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(field);
      field = '';
    } else field += ch;
  }
  out.push(field);
  return out;
}

const list = (s: string): string[] => (s === '' ? [] : s.split('|'));

/** Parses truth.csv (`case,buy_line_ids,invoice_keys`; lists joined with `|`). */
export async function readTruth(path: string): Promise<TruthRow[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new TieoutError('file_unreadable', `Cannot read ${basename(path)}: ${(err as Error).message}`, { path });
  }
  const file = basename(path);
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  const header = lines[0]?.replace(/^\uFEFF/, '');
  if (header !== 'case,buy_line_ids,invoice_keys') {
    throw new TieoutError('parse', `${file} must start with the header "case,buy_line_ids,invoice_keys"`, { file, row: 1, value: header ?? '' });
  }
  const rows: TruthRow[] = [];
  for (let i = 1; i < lines.length; i++) {
    const fields = splitCsvLine(lines[i]!);
    const [kind = '', buys = '', keys = ''] = fields;
    if (fields.length !== 3 || !isCaseKind(kind)) {
      throw new TieoutError('parse', `${file}, row ${i + 1}: expected a case kind and two lists`, { file, row: i + 1, value: lines[i]! });
    }
    rows.push({ case: kind, buyLineIds: list(buys), invoiceKeys: list(keys) });
  }
  return rows;
}

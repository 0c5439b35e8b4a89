import { describeLocation, TieoutError } from '../../../shared/error.js';

/** One line for the user: the message, plus where (file, row, column, value) when the core said. */
export function errorText(err: unknown): string {
  const e = TieoutError.from(err);
  const where = describeLocation(e.details);
  return where && !e.message.includes(where) ? `${e.message} (${where})` : e.message;
}

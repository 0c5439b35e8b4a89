import { CallResult } from '../../../shared/contract.js';
import { TieoutError } from '../../../shared/error.js';

/** Turns a transport's result envelope into the output, or throws the one error type. */
export function unwrap<T>(raw: unknown): T {
  const parsed = CallResult.safeParse(raw);
  if (!parsed.success) throw new TieoutError('internal', 'The core sent a malformed reply');
  if (!parsed.data.ok) throw TieoutError.fromShape(parsed.data.error);
  return parsed.data.result as T;
}

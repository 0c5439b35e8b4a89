import { z } from 'zod';

/**
 * The one error shape that crosses every boundary (IPC, HTTP, CLI, worker).
 * `details` names where bad input was found so the user can go and fix it.
 */
export const ErrorCode = z.enum([
  'bad_input', // a call's payload failed validation
  'not_found',
  'not_a_workspace',
  'workspace_too_new',
  'parse', // a value in a file could not be read as its type
  'file_unreadable',
  'mapping_invalid',
  'schema_drift',
  'conflict',
  'forbidden',
  'cancelled',
  'unauthorized',
  'internal',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ErrorDetails = z
  .object({
    file: z.string().optional(),
    sheet: z.string().optional(),
    row: z.number().int().optional(),
    column: z.string().optional(),
    value: z.string().optional(),
    path: z.string().optional(),
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .catchall(z.unknown());
export type ErrorDetails = z.infer<typeof ErrorDetails>;

export const ErrorShape = z.object({
  code: ErrorCode,
  message: z.string(),
  details: ErrorDetails.optional(),
});
export type ErrorShape = z.infer<typeof ErrorShape>;

export class TieoutError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetails | undefined;

  constructor(code: ErrorCode, message: string, details?: ErrorDetails) {
    super(message);
    this.name = 'TieoutError';
    this.code = code;
    this.details = details;
  }

  toShape(): ErrorShape {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }

  static fromShape(shape: ErrorShape): TieoutError {
    return new TieoutError(shape.code, shape.message, shape.details);
  }

  /** Anything thrown becomes a TieoutError; unknown failures are `internal`. */
  static from(err: unknown): TieoutError {
    if (err instanceof TieoutError) return err;
    if (err instanceof z.ZodError) return TieoutError.fromZod(err, 'bad_input');
    const message = err instanceof Error ? err.message : String(err);
    return new TieoutError('internal', message);
  }

  static fromZod(err: z.ZodError, code: ErrorCode = 'bad_input', context = 'input'): TieoutError {
    const issues = err.issues.map((i) => ({ path: i.path.map(String).join('.') || '(root)', message: i.message }));
    const first = issues[0];
    const message = first ? `Invalid ${context} at ${first.path}: ${first.message}` : `Invalid ${context}`;
    return new TieoutError(code, message, { issues });
  }
}

/** Where a parse error happened, for messages like `buys.csv, row 12, column "Amount": "12,3,4"`. */
export function describeLocation(d: ErrorDetails | undefined): string {
  if (!d) return '';
  const parts: string[] = [];
  if (d.file) parts.push(d.file);
  if (d.sheet) parts.push(`sheet "${d.sheet}"`);
  if (d.row !== undefined) parts.push(`row ${d.row}`);
  if (d.column) parts.push(`column "${d.column}"`);
  if (d.value !== undefined) parts.push(`value "${d.value}"`);
  return parts.join(', ');
}

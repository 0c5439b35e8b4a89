import { TieoutError } from '../../../../shared/error.js';

/**
 * Why a value could not be read. Returned, not thrown, so sniffers and type suggestion
 * can probe many values without exceptions; the public parse* functions throw it as a
 * TieoutError('parse'). `reason` reads after a subject: "Amount " + "has 3 decimal places...".
 */
export class Rejection {
  constructor(readonly reason: string) {}
}

export function parseError(subject: string, raw: string, r: Rejection): TieoutError {
  return new TieoutError('parse', `${subject} ${r.reason}`, { value: raw });
}

/** Quote a fragment of the input for a message without letting a huge cell flood it. */
export function quote(fragment: string): string {
  return JSON.stringify(fragment.length > 40 ? fragment.slice(0, 40) + '…' : fragment);
}

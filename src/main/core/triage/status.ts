import { TieoutError } from '../../../shared/error.js';

/** The life of a review item. Checked in the core, whatever the UI allows. */
export const ITEM_STATUSES = ['open', 'investigating', 'pending_approval', 'resolved', 'written_off'] as const;
export type ItemStatus = (typeof ITEM_STATUSES)[number];

const NEXT: Record<ItemStatus, readonly ItemStatus[]> = {
  open: ['investigating', 'pending_approval', 'resolved', 'written_off'],
  investigating: ['open', 'pending_approval', 'resolved', 'written_off'],
  // Approval decides: approved -> resolved/written_off; rejected -> back to investigating.
  pending_approval: ['investigating', 'resolved', 'written_off'],
  // Closed items only reopen.
  resolved: ['open'],
  written_off: ['open'],
};

export function canTransition(from: ItemStatus, to: ItemStatus): boolean {
  return NEXT[from].includes(to);
}

export function assertTransition(from: ItemStatus, to: ItemStatus, item: string): void {
  if (!canTransition(from, to)) {
    throw new TieoutError('conflict', `Item ${item} cannot go from ${from} to ${to}; allowed: ${NEXT[from].join(', ')}`, { item, from, to });
  }
}

export const CLOSED: ReadonlySet<ItemStatus> = new Set(['resolved', 'written_off']);

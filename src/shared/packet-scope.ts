/** What an audit packet covers: shared by the contract, the CLI and the packet writer. */
import { z } from 'zod';

const Period = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'expected a period such as 2026-03');
const OneOrMany = z.union([z.string().min(1).max(200), z.array(z.string().min(1).max(200)).max(100)]);

export const PacketFilter = z
  .object({
    class: OneOrMany.optional(),
    status: OneOrMany.optional(),
    vendor: z.string().min(1).max(200).optional(),
    text: z.string().min(1).max(200).optional(),
  })
  .strict();
export type PacketFilter = z.infer<typeof PacketFilter>;

export const PacketScope = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('workspace') }).strict(),
  z.object({ kind: z.literal('run'), runId: z.number().int().positive() }).strict(),
  z.object({ kind: z.literal('period'), period: Period, reconciliation: z.string().min(1).max(120).optional() }).strict(),
  z.object({ kind: z.literal('filter'), runId: z.number().int().positive().optional(), filter: PacketFilter }).strict(),
]);
export type PacketScope = z.infer<typeof PacketScope>;

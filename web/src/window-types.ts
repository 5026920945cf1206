import { z } from "zod";

export const GROUPS = ["all", "nat", "gender"] as const;
export type Group = (typeof GROUPS)[number];

/** One stored or streamed row: a window's aggregate over one source partition of users_created. */
export const WindowRowSchema = z.object({
  windowStart: z.number().int(),
  windowEnd: z.number().int(),
  group: z.string().min(1),
  key: z.string(),
  partition: z.number().int().nonnegative(),
  count: z.number().int().nonnegative(),
  sumAge: z.number().int(),
  minAge: z.number().int(),
  maxAge: z.number().int(),
  final: z.boolean(),
});
export type WindowRow = z.infer<typeof WindowRowSchema>;

/** A window with its per-partition rows merged: what the API and the live stream hand out (contract §6). */
export interface Window {
  windowStart: number;
  windowEnd: number;
  group: string;
  key: string;
  count: number;
  sumAge: number;
  minAge: number;
  maxAge: number;
  avgAge: number;
  final: boolean;
}

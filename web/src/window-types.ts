import type { AggregateRow } from "../../common/src/contracts/aggregate-message.ts";

/** "all", or a GROUP_BY field of the processors (aggregation-groups.ts): checked at the edge. */
export type Group = string;

/** One stored or streamed row: a window's aggregate over one source partition (the aggregates topic's row). */
export type WindowRow = AggregateRow;

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

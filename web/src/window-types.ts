import type { AggregateRow, FieldAggregate } from "../../common/src/contracts/aggregate-message.ts";

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
  /**
   * The fields aggregated beside age (AGGREGATE_FIELDS), merged over the partitions, by name: each over
   * the window's records that had a number for it. Absent when the processors aggregate age only.
   */
  fields?: Record<string, WindowField>;
}

/** One extra aggregated field of a window. */
export interface WindowField extends FieldAggregate {
  avg: number;
}

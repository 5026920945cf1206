/** "all", or a GROUP_BY field of the processors (aggregation-groups.ts): checked at the edge. */
export type Group = string;

/** One stored or streamed row: a window's aggregate over one source partition of users_created. */
export interface WindowRow {
  windowStart: number;
  windowEnd: number;
  group: string;
  key: string;
  partition: number;
  count: number;
  sumAge: number;
  minAge: number;
  maxAge: number;
  final: boolean;
}

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

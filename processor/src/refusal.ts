import type { RefusalCause } from "./core/index.ts";

/** Refused events by the capacity limit they met (/status `refusedByCause`, metric label `cause`). */
export type RefusalCounts = Record<RefusalCause, number>;

export function noRefusals(): RefusalCounts {
  return { keys: 0, windows: 0, cells: 0 };
}

/** The dead letter's reason for an event the windowing core refused. */
export function refusalReason(cause: RefusalCause, maxKeysPerPartition: number): string {
  switch (cause) {
    case "keys":
      return `refused: the partition's key dictionary is full (PROCESSOR_MAX_KEYS_PER_PARTITION=${maxKeysPerPartition} distinct group-by values in its open windows)`;
    case "windows":
      return "refused: window state capacity exhausted (open windows of the partition)";
    case "cells":
      return "refused: window state capacity exhausted (key × window cells of the partition)";
  }
}

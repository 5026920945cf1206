export { type AssignEntry, DEFAULT_LIMITS, WindowEngine } from "./engine.ts";
export { ALL_GROUP, ALL_KEY } from "./ring-buffer.ts";
export { decodeSnapshotHeader, type SnapshotHeader } from "./snapshot.ts";
export {
  AddStatus,
  type CoreConfig,
  type PartitionCounters,
  type PartitionStatus,
  type RefusalCause,
  type WindowRow,
} from "./types.ts";
export {
  firstOpenIndex,
  floorDiv,
  maxEventTime,
  type WindowSpec,
  windowSpec,
  windowStartOf,
  windowStartsOf,
} from "./window-spec.ts";

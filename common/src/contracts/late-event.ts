// The headers a late event carries to TOPIC_LATE (docs/internal-contracts.md), beside its own: why it is
// late, the window that closed and the watermark that closed it, and where it is in the users topic.

export const LATE_REASONS = {
  /** The window ended at or before the event's own partition's watermark. */
  partitionWatermark: "window closed: its end is at or before its partition's watermark",
  /** The partition was idle while the processor watermark (over the others) closed the window. */
  idlePartition: "window closed: the processor watermark passed its end while its partition was idle",
} as const;

export interface LateEvent {
  reason: (typeof LATE_REASONS)[keyof typeof LATE_REASONS];
  windowEnd: number;
  watermark: number;
  sourcePartition: number;
  sourceOffset: number;
}

export function lateHeaders(e: LateEvent): Record<string, string> {
  return {
    late_reason: e.reason,
    window_end: String(e.windowEnd),
    watermark: String(e.watermark),
    source_partition: String(e.sourcePartition),
    source_offset: String(e.sourceOffset),
  };
}

import type { Config } from "../../common/src/config.ts";
import { LATE_REASONS, lateHeaders } from "../../common/src/contracts/late-event.ts";
import { decodeDeadLetter } from "./decode-dead-letter.ts";
import type { ProcessorMetrics } from "./metrics.ts";
import type { Headers, OutputTopics, SourceRecord } from "./ports.ts";
import { headersOf, sourceOf } from "./record-headers.ts";
import type { Totals } from "./status.ts";

/**
 * The records that are not aggregated, sent on as Flink's side outputs are: late events to the late topic
 * with why and against which watermark, unusable ones to the dead-letter topic. Both sends are tracked: a
 * checkpoint waits for them (they are part of the exactly-once effect).
 */
export class SideOutputs {
  constructor(
    private readonly config: Config,
    private readonly topics: OutputTopics,
    private readonly metrics: ProcessorMetrics,
    private readonly totals: Totals,
    private readonly maxPayloadBytes: number,
  ) {}

  deadLetter(m: SourceRecord, reason: string): void {
    const letter = decodeDeadLetter(
      { value: m.value, key: m.key, partition: m.partition, offset: m.offset, source: sourceOf(m) },
      reason,
      this.maxPayloadBytes,
    );
    if (letter.truncated) this.metrics.deadLettersTruncated.inc();
    this.topics.sendTracked(this.config.TOPIC_DLQ, letter.key, letter.value, letter.headers);
    this.totals.deadLettered++;
    this.metrics.deadLettered.inc({ stage: "decode" });
    this.metrics.events.inc({ outcome: "dead_letter" });
  }

  /** A late event, as it came, with the closed window's end and the partition's watermark. */
  late(m: SourceRecord, windowEnd: number, watermark: number, behindOwnWatermark: boolean): void {
    const headers: Headers = {
      ...headersOf(m),
      ...lateHeaders({
        reason: behindOwnWatermark ? LATE_REASONS.partitionWatermark : LATE_REASONS.idlePartition,
        windowEnd,
        watermark,
        sourcePartition: m.partition,
        sourceOffset: m.offset,
      }),
    };
    this.topics.sendTracked(this.config.TOPIC_LATE, m.key ?? null, m.value ?? Buffer.alloc(0), headers);
    this.totals.late++;
    this.metrics.late.inc();
    this.metrics.events.inc({ outcome: "late" });
  }
}

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
  /**
   * Per source partition, the highest source offset whose late event / dead letter its topic already holds
   * (read on assignment): a replay from an older checkpoint does not send those again.
   */
  private readonly sent = new Map<number, { late: number; dlq: number }>();

  constructor(
    private readonly config: Config,
    private readonly topics: OutputTopics,
    private readonly metrics: ProcessorMetrics,
    private readonly totals: Totals,
    private readonly maxPayloadBytes: number,
  ) {}

  /** Reads back, on assignment of `partition`, what the late and dead-letter topics hold of it. */
  async resume(partition: number): Promise<void> {
    const [late, dlq] = await Promise.all([
      this.topics.lastSourceOffset(this.config.TOPIC_LATE, partition),
      this.topics.lastSourceOffset(this.config.TOPIC_DLQ, partition),
    ]);
    this.sent.set(partition, { late: late ?? -1, dlq: dlq ?? -1 });
  }

  /** A side output a previous run of this partition already delivered (its checkpoint came before). */
  private delivered(m: SourceRecord, kind: "late" | "dlq"): boolean {
    const done = (this.sent.get(m.partition)?.[kind] ?? -1) >= m.offset;
    if (done) this.metrics.sideOutputsNotResent.inc({ topic: kind });
    return done;
  }

  deadLetter(m: SourceRecord, reason: string): void {
    const letter = decodeDeadLetter(
      { value: m.value, key: m.key, partition: m.partition, offset: m.offset, source: sourceOf(m) },
      reason,
      this.maxPayloadBytes,
    );
    if (letter.truncated) this.metrics.deadLettersTruncated.inc();
    if (!this.delivered(m, "dlq"))
      this.topics.sendTracked(this.config.TOPIC_DLQ, letter.key, letter.value, letter.headers, m.partition);
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
    if (!this.delivered(m, "late"))
      this.topics.sendTracked(
        this.config.TOPIC_LATE,
        m.key ?? null,
        m.value ?? Buffer.alloc(0),
        headers,
        m.partition,
      );
    this.totals.late++;
    this.metrics.late.inc();
    this.metrics.events.inc({ outcome: "late" });
  }
}

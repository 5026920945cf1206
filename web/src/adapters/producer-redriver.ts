import type { Config } from "../../../common/src/config.ts";
import type { Logger } from "../../../common/src/logger.ts";
import { openPipeline, type Pipeline } from "../../../producer/src/pipeline.ts";
import { type RedriveLetter, redriveLetters } from "../../../producer/src/redrive.ts";
import type { RunsStore } from "../../../producer/src/runs-store.ts";
import { toDeadLetterView } from "../dead-letters.ts";
import type { RedriveOutcome, Redriver, TopicReader } from "../ports.ts";

/**
 * Re-drives through the producer's own ingestion (mapping, validation, registry, idempotent producer),
 * opened on the first re-drive and kept: the web tier then holds a Kafka producer only once one was asked for.
 */
export class ProducerRedriver implements Redriver {
  private pipeline: Promise<Pipeline> | null = null;

  constructor(
    private readonly config: Config,
    private readonly topics: TopicReader,
    private readonly runs: RunsStore,
    private readonly log: Logger,
  ) {}

  async redrive(refs: { partition: number; offset: number }[]): Promise<RedriveOutcome> {
    const letters: RedriveLetter[] = [];
    const skipped: RedriveOutcome["skipped"] = [];
    for (const ref of refs) {
      const m = await this.topics.message(this.config.TOPIC_DLQ, ref.partition, ref.offset);
      const v = m ? toDeadLetterView(m) : null;
      if (!m || !v?.letter) {
        skipped.push({
          ...ref,
          reason: m ? (v?.invalid ?? "not a dead letter") : "no such message (deleted by retention?)",
        });
        continue;
      }
      // The stored letter, not the redacted view: its payload was redacted when it was built.
      letters.push({
        partition: m.partition,
        offset: m.offset,
        key: m.key,
        letter: v.letter,
        headers: m.headers,
      });
    }
    this.pipeline ??= openPipeline(this.config).catch((err: unknown) => {
      this.pipeline = null;
      throw err;
    });
    const result = await redriveLetters(this.config, await this.pipeline, letters, {
      runs: this.runs,
      log: this.log,
    });
    return { ...result, skipped: [...skipped, ...result.skipped] };
  }

  async close(): Promise<void> {
    const p = this.pipeline;
    this.pipeline = null;
    if (p) await (await p).close().catch(() => undefined);
  }
}

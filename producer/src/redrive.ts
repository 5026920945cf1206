import type { Config } from "../../common/src/config.ts";
import { type DeadLetter, readDeadLetterHeaders } from "../../common/src/contracts/dead-letter.ts";
import type { Logger } from "../../common/src/logger.ts";
import { parseFixtureLine } from "./fixture-format.ts";
import type { Ingestor } from "./ingestor.ts";
import type { MessageHeaders } from "./kafka-producer.ts";
import type { Pipeline } from "./pipeline.ts";
import { RunTracker } from "./run-tracker.ts";
import type { RunsStore } from "./runs-store.ts";
import type { IngestSource } from "./user-mapping.ts";

/** A dead letter read back from the dead-letter topic, to send again. */
export interface RedriveLetter {
  partition: number;
  offset: number;
  /** The letter's key: the event id when it was known. */
  key: string | null;
  letter: DeadLetter;
  headers: Record<string, string>;
}

export interface RedriveResult {
  runId: string;
  recorded: boolean;
  /** Letters taken: sent again to the users topic (acknowledged), or dead-lettered again (rejected). */
  sent: number;
  rejected: number;
  failed: number;
  /** Letters that cannot be sent again as they are (a truncated payload), with why. */
  skipped: { partition: number; offset: number; reason: string }[];
}

const SOURCES: readonly IngestSource[] = ["api", "synthetic", "fixture"];

/**
 * Sends dead letters again, after a fix, as one run (source `redrive`) in ingestion_runs. A producer letter
 * (map, schema, parse) goes through the producer's ingestion once more: it is mapped and validated anew,
 * keeps its event time (a fixture line's own, else when it was dead-lettered), and is sent to the users
 * topic or dead-lettered again with the new reason. A processor letter (decode) carries the original
 * message bytes: they go to the users topic unchanged, unless the letter kept only their first bytes.
 * Every message sent names the run (`run_id`); the original bytes also name their letter (`redriven_from`).
 */
export async function redriveLetters(
  config: Config,
  pipeline: Pipeline,
  letters: RedriveLetter[],
  opts: { runs?: RunsStore; log?: Logger } = {},
): Promise<RedriveResult> {
  const tracker = await RunTracker.start(
    config,
    "redrive",
    { topic: config.TOPIC_DLQ, letters: letters.map((l) => `${l.partition}:${l.offset}`) },
    opts,
  );
  const ingestors = new Map<IngestSource, Ingestor>();
  const ingestorFor = (source: string): Ingestor => {
    const s: IngestSource = (SOURCES as readonly string[]).includes(source)
      ? (source as IngestSource)
      : "api";
    let ing = ingestors.get(s);
    if (!ing) {
      ing = pipeline.ingestor(s, {
        runId: tracker.runId,
        onReject: tracker.reject,
        onFailure: tracker.failure,
      });
      ingestors.set(s, ing);
    }
    return ing;
  };
  const skipped: RedriveResult["skipped"] = [];
  const raw = { sent: 0, failed: 0 };
  const rawSends: Promise<void>[] = [];
  for (const l of letters) {
    const from = `${config.TOPIC_DLQ}/${l.partition}/${l.offset}`;
    const h = readDeadLetterHeaders(l.headers);
    if (h.truncated) {
      skipped.push({
        partition: l.partition,
        offset: l.offset,
        reason:
          l.letter.stage === "decode"
            ? `the letter kept only the first bytes of the message; it is whole at ${config.TOPIC_USERS} partition ${h.source?.partition} offset ${h.source?.offset}`
            : "the letter kept only the first bytes of the payload: what was received cannot be rebuilt from it",
      });
      continue;
    }
    if (l.letter.stage === "decode") {
      const headers: MessageHeaders = [
        { produced_at: String(Date.now()) },
        { source: l.letter.source },
        { run_id: tracker.runId },
        { redriven_from: from },
      ];
      rawSends.push(
        pipeline.producer
          .send(config.TOPIC_USERS, l.key, Buffer.from(l.letter.payload, "base64"), headers)
          .then(
            () => void raw.sent++,
            (err: Error) => {
              raw.failed++;
              tracker.failure(err);
            },
          ),
      );
      continue;
    }
    const ingestor = ingestorFor(l.letter.source);
    if (l.letter.source === "fixture") {
      const line = parseFixtureLine(l.letter.payload, l.letter.line ?? 1);
      if (!line.ok) await ingestor.offerRejected(line.reason, "parse", l.letter.payload, l.letter.line);
      else await ingestor.offerUser(line.user, line.eventTime, { text: line.text, line: line.line });
      continue;
    }
    let user: unknown;
    try {
      user = JSON.parse(l.letter.payload);
    } catch (err) {
      await ingestor.offerRejected(`not JSON: ${(err as Error).message}`, "parse", l.letter.payload);
      continue;
    }
    await ingestor.offerUser(user, l.letter.at, { text: l.letter.payload });
  }
  await Promise.all(rawSends);
  const counts = { received: 0, sent: raw.sent, rejected: 0, failed: raw.failed };
  for (const ing of ingestors.values()) {
    const s = await ing.drain();
    counts.received += s.received;
    counts.sent += s.sent;
    counts.rejected += s.rejected;
    counts.failed += s.failed;
  }
  for (const s of skipped) tracker.note(`letter ${s.partition}:${s.offset} skipped: ${s.reason}`);
  const recorded = await tracker.finishWith(
    counts,
    skipped.length > 0 ? `${skipped.length} letters could not be sent again` : null,
    letters.length,
  );
  opts.log?.info({ run: tracker.runId, ...counts, skipped: skipped.length }, "re-drive finished");
  return {
    runId: tracker.runId,
    recorded,
    sent: counts.sent,
    rejected: counts.rejected,
    failed: counts.failed,
    skipped,
  };
}

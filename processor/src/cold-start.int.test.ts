import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { replayFile } from "../../producer/src/replay.ts";
import { type RefEvent, type RefOp, streamingReference } from "./core/reference.ts";
import {
  groupsOf,
  readTopic,
  reference,
  topicSize,
  waitForFinal,
  writeTimedFixture,
} from "./testing/harness.ts";
import { useFreshBed } from "./testing/test-bed.ts";

// #11: a stream with events an hour behind their partition's stream time, replayed into a fresh pipeline
// right after the processor starts. Lateness is per partition (contract §4), so exactly the events an hour
// behind a record their own partition delivered before are late — whichever partition's batch the
// processor meets first, and although the other partitions have delivered nothing yet at that point.
describe("processor: cold start", () => {
  const dir = mkdtempSync(join(tmpdir(), "proc-cold-"));
  const base = Date.parse("2026-04-01T00:00:00Z");
  const HOUR = 3_600_000;
  const times: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t = base + i * 150;
    times.push(i >= 40 && i % 7 === 0 ? t - HOUR : t);
  }
  const bed = useFreshBed("cold", { TOPIC_PARTITIONS: "6" });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("declares late exactly the events behind their own partition's watermark", async () => {
    const { config, client } = bed;
    const file = join(dir, "cold.ndjson");
    const events = await writeTimedFixture(file, times, 11);
    const processor = await bed.start();
    expect((await replayFile(file, config)).sent).toBe(events.length);

    // Where each event went, in offset order, as Kafka says (not as the test assumes).
    const byId = new Map(events.map((e) => [String(e.fields.event_id), e]));
    const sent = await readTopic(config, config.TOPIC_USERS, events.length);
    expect(sent).toHaveLength(events.length);
    const ops: RefOp[] = sent.map((m) => ({ kind: "event", ...byId.get(m.key!)!, partition: m.partition }));
    const partitions = [...new Set(sent.map((m) => m.partition))].sort();
    expect(partitions).toHaveLength(6);
    const ref = streamingReference(
      ops,
      {
        windowSizeMs: config.WINDOW_SIZE_MS,
        allowedLatenessMs: config.ALLOWED_LATENESS_MS,
        idleTimeoutMs: config.IDLE_TIMEOUT_MS,
        groupBy: groupsOf(config).slice(1),
      },
      partitions,
      0,
    );
    const lateIds = ref.late.map((i) => String((ops[i] as RefEvent).fields.event_id)).sort();
    const behind = events.filter((e) => e.eventTime < base).length;
    // Nearly all of them: one is on time only if its partition had delivered nothing before it.
    expect(lateIds.length).toBeGreaterThan(behind - 3);

    const onTime = events.filter((e) => !lateIds.includes(String(e.fields.event_id)));
    const expected = reference(onTime, config);
    expect(await waitForFinal(client, config, expected)).toEqual(expected);
    expect(processor.status().late).toBe(lateIds.length);
    expect(await topicSize(config, config.TOPIC_LATE)).toBe(lateIds.length);
    const late = await readTopic(config, config.TOPIC_LATE, lateIds.length);
    expect(late.map((m) => m.key).sort()).toEqual(lateIds);
    for (const m of late) {
      expect(m.headers.late_reason).toBe("window closed: its end is at or before its partition's watermark");
    }
  });
});

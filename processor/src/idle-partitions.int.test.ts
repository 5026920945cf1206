import { beforeAll, describe, expect, it } from "vitest";
import { createRng } from "../../producer/src/rng.ts";
import type { RefEvent } from "./core/reference.ts";
import { reference, sendRaw, syntheticMessage, waitFor, waitForFinal } from "./testing/harness.ts";
import { useTestBed } from "./testing/test-bed.ts";

// Contract §4: a finished stream must not leave windows open forever. Here two of three partitions never
// receive anything; once the third goes quiet, every partition is idle and the windows close.
describe("processor: idle and empty partitions", () => {
  const bed = useTestBed("idle", { TOPIC_PARTITIONS: "3", IDLE_TIMEOUT_MS: "1000", STORE_USERS: "false" });
  const events: RefEvent[] = [];

  beforeAll(async () => {
    const { config, schema } = bed;
    const rng = createRng(5);
    const base = Date.parse("2026-07-01T00:00:00Z");
    const messages = [];
    for (let i = 0; i < 50; i++) {
      const { event, message } = syntheticMessage(rng, base + i * 900, schema);
      events.push(event);
      messages.push({ ...message, partition: 0 });
    }
    await sendRaw(config, messages);
  });

  it("finalizes every window", async () => {
    const { config, client } = bed;
    const processor = await bed.start();
    const expected = reference(events, config);
    expect(await waitForFinal(client, config, expected)).toEqual(expected);
    const status = processor.status();
    expect(status.partitions.every((p) => p.idle && p.openWindows === 0)).toBe(true);
  });

  it("checkpoints the empty partitions too, past the last window's end (readers gate finality on it)", async () => {
    const { config, client } = bed;
    const lastEnd = Math.max(...reference(events, config).map((r) => r.windowEnd));
    const checkpoints = await waitFor(
      "every partition checkpointed past the last window",
      async () =>
        (
          await client.execute(
            `SELECT kafka_partition, watermark FROM ${config.CASSANDRA_KEYSPACE}.processor_checkpoints WHERE topic = ?`,
            [config.TOPIC_USERS],
            { prepare: true },
          )
        ).rows.map((r) => ({
          partition: Number(r.get("kafka_partition")),
          watermark: Number(r.get("watermark")),
        })),
      (cps) => cps.length === 3 && cps.every((cp) => cp.watermark >= lastEnd),
      60_000,
    );
    expect(checkpoints.map((cp) => cp.partition).sort()).toEqual([0, 1, 2]);
  });
});

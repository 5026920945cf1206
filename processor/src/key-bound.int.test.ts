import { beforeAll, describe, expect, it } from "vitest";
import { parseDeadLetter } from "../../common/src/contracts/dead-letter.ts";
import { encodeWire } from "../../common/src/wire-format.ts";
import { createRng } from "../../producer/src/rng.ts";
import type { RefEvent } from "./core/reference.ts";
import { readTopic, reference, sendRaw, syntheticMessage, waitForFinal } from "./testing/harness.ts";
import { useTestBed } from "./testing/test-bed.ts";

// #11: the key dictionary of a partition is bounded (PROCESSOR_MAX_KEYS_PER_PARTITION) by the values its open
// windows hold, not by every value ever seen. Here 5 keys: "*", "female" and three nat values per window.
describe("processor: bounded key dictionary", () => {
  const bed = useTestBed("keys", { TOPIC_PARTITIONS: "1", IDLE_TIMEOUT_MS: "1000", STORE_USERS: "false" });
  const kept: RefEvent[] = [];
  const refused = ["D", "E"];

  beforeAll(async () => {
    const { config, schema } = bed;
    const base = Date.parse("2026-04-03T00:00:00Z");
    const rng = createRng(4);
    // [0, 10 s): A, B, C fill the dictionary, D and E are refused; at 16 s, A closes that window (its own
    // watermark passes 10 s), which releases B and C: F and G fit.
    const plan: [number, string][] = [
      [1_000, "A"],
      [2_000, "B"],
      [3_000, "C"],
      [4_000, "D"],
      [5_000, "E"],
      [6_000, "B"],
      [16_000, "A"],
      [17_000, "F"],
      [18_000, "G"],
    ];
    const messages = plan.map(([offset, nat], i) => {
      const t = base + offset;
      const record = {
        ...syntheticMessage(rng, t, schema).record,
        nat,
        gender: "female",
        event_id: `${nat}-${i}`,
      };
      if (!refused.includes(nat)) kept.push({ partition: 0, eventTime: t, fields: record });
      return { key: record.event_id, value: encodeWire(schema.id, schema.type.toBuffer(record)) };
    });
    await sendRaw(config, messages);
  });

  it("refuses a value past the bound to the dead-letter topic, counted by cause, and takes new ones once windows close", async () => {
    const { config, client } = bed;
    const processor = await bed.start({ options: { PROCESSOR_MAX_KEYS_PER_PARTITION: 5 } });
    const expected = reference(kept, config);
    expect(await waitForFinal(client, config, expected)).toEqual(expected);
    const status = processor.status();
    expect(status.refused).toBe(2);
    expect(status.refusedByCause).toEqual({ keys: 2, windows: 0, cells: 0 });
    expect(status.partitions[0]!.refused).toBe(2);
    expect(status.partitions[0]!.keys).toBeLessThanOrEqual(5);

    const letters = await readTopic(config, config.TOPIC_DLQ, 2);
    expect(letters.map((l) => l.key).sort()).toEqual(["D-3", "E-4"]);
    for (const l of letters) {
      expect(parseDeadLetter(l.value).reason).toBe(
        "refused: the partition's key dictionary is full (PROCESSOR_MAX_KEYS_PER_PARTITION=5 distinct group-by values in its open windows)",
      );
    }
    const metrics = await (await fetch(`http://127.0.0.1:${processor.port}/metrics`)).text();
    expect(metrics).toMatch(/^processor_refused_events_total 2$/m);
    expect(metrics).toMatch(/^processor_refused_events_by_cause_total\{cause="keys"\} 2$/m);
  });
});

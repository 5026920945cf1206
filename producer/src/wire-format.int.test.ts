import { readFileSync } from "node:fs";
import { AvroDeserializer, SchemaRegistryClient, SerdeType } from "@confluentinc/schemaregistry";
import { afterEach, describe, expect, it } from "vitest";
import type { Config } from "../../common/src/config.ts";
import { userSchema } from "../../common/src/user-schema.ts";
import { parseFixtureLine } from "./fixture-format.ts";
import { replayFile } from "./replay.ts";
import { cleanupIsolated } from "./testing/cleanup.ts";
import { isolatedConfig } from "./testing/test-config.ts";
import { readTopic } from "./testing/topic-reader.ts";
import { mapUser } from "./user-mapping.ts";

const happy = new URL("../../fixtures/happy.ndjson", import.meta.url).pathname;

let config: Config | null = null;
afterEach(async () => {
  if (config) await cleanupIsolated(config);
  config = null;
});

/** What the producer should have sent for each line of a fixture, by event id. */
function expectedRecords(file: string): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .forEach((text, i) => {
      const line = parseFixtureLine(text, i + 1);
      if (!line.ok) throw new Error(line.reason);
      const mapped = mapUser(line.user, line.eventTime, userSchema(1).type);
      if (!mapped.ok) throw new Error(mapped.reason);
      out.set(String(mapped.record.event_id), { ...mapped.record });
    });
  return out;
}

describe("the Confluent wire format, read by Confluent's own client", () => {
  it("every message the producer sends decodes with @confluentinc/schemaregistry's AvroDeserializer", async () => {
    config = isolatedConfig("wire");
    const stats = await replayFile(happy, config, { schemaVersion: 1 });
    expect(stats.sent).toBe(200);

    const client = new SchemaRegistryClient({ baseURLs: [config.SCHEMA_REGISTRY_URL] });
    const deserializer = new AvroDeserializer(client, SerdeType.VALUE, {});
    const expected = expectedRecords(happy);
    const messages = await readTopic(config, config.TOPIC_USERS, 200);
    expect(messages).toHaveLength(200);
    const seen = new Set<string>();
    for (const m of messages) {
      const record = (await deserializer.deserialize(config.TOPIC_USERS, m.value)) as Record<string, unknown>;
      expect(record.event_id).toBe(m.key);
      expect({ ...record }).toEqual(expected.get(m.key ?? ""));
      seen.add(String(record.event_id));
    }
    expect(seen).toEqual(new Set(expected.keys()));
  });
});

import avro from "avsc";
import { afterEach, describe, expect, it } from "vitest";
import type { Config } from "../../common/src/config.ts";
import { userSchema } from "../../common/src/user-schema.ts";
import { decodeWire } from "../../common/src/wire-format.ts";
import { replayFile } from "./replay.ts";
import {
  createRegistryClient,
  registerUserSchema,
  registerValueSchema,
  valueSubject,
} from "./schema-registry.ts";
import { cleanupIsolated, fetchSchemaById } from "./testing/cleanup.ts";
import { isolatedConfig } from "./testing/test-config.ts";
import { readTopic } from "./testing/topic-reader.ts";

const happy = new URL("../../fixtures/happy.ndjson", import.meta.url).pathname;

let config: Config | null = null;
afterEach(async () => {
  if (config) await cleanupIsolated(config);
  config = null;
});

async function decodeAll(cfg: Config, count: number, reader: avro.Type) {
  const messages = await readTopic(cfg, cfg.TOPIC_USERS, count);
  const out: { schemaId: number; record: Record<string, unknown> }[] = [];
  for (const m of messages) {
    const { schemaId, payload } = decodeWire(m.value);
    const writer = avro.Type.forSchema(JSON.parse(await fetchSchemaById(cfg, schemaId)));
    const record = reader.fromBuffer(payload, reader.createResolver(writer));
    out.push({ schemaId, record: { ...(record as Record<string, unknown>) } });
  }
  return out;
}

describe("schema evolution under BACKWARD compatibility", () => {
  it("sets BACKWARD on the subject and registers idempotently", async () => {
    config = isolatedConfig("evo_cfg");
    const a = await registerUserSchema(config, 1);
    const b = await registerUserSchema(config, 1);
    expect(b.id).toBe(a.id);
    const registry = createRegistryClient(config);
    expect(await registry.getCompatibility(valueSubject(config.TOPIC_USERS))).toBe("BACKWARD");
    expect((await registry.getLatestSchemaMetadata(valueSubject(config.TOPIC_USERS))).id).toBe(a.id);
  });

  it("v2 producers and v1 consumers interoperate, and v1 data reads under v2", async () => {
    config = isolatedConfig("evo");
    const v1Stats = await replayFile(happy, config, { schemaVersion: 1 });
    const v2Stats = await replayFile(happy, config, { schemaVersion: 2 });
    expect([v1Stats.sent, v2Stats.sent]).toEqual([200, 200]);

    const asV1 = await decodeAll(config, 400, userSchema(1).type);
    const ids = [...new Set(asV1.map((m) => m.schemaId))];
    expect(ids).toHaveLength(2);
    for (const m of asV1) expect(m.record).not.toHaveProperty("source");

    const asV2 = await decodeAll(config, 400, userSchema(2).type);
    const sources = asV2.map((m) => m.record.source);
    expect(sources.filter((s) => s === null)).toHaveLength(200);
    expect(sources.filter((s) => s === "fixture")).toHaveLength(200);

    const registry = createRegistryClient(config);
    expect(await registry.getAllVersions(valueSubject(config.TOPIC_USERS))).toEqual([1, 2]);
  });

  it.each([
    [
      "a new required field without a default",
      (f: Field[]) => [...f, { name: "loyalty_tier", type: "string" }],
    ],
    [
      "a type change (age int → string)",
      (f: Field[]) => f.map((x) => (x.name === "age" ? { ...x, type: "string" } : x)),
    ],
  ])("refuses %s with a clear error", async (label, change) => {
    config = isolatedConfig("evo_bad");
    await registerUserSchema(config, 1);
    const schema = JSON.parse(userSchema(1).text) as { fields: Field[] };
    const incompatible = JSON.stringify({ ...schema, fields: change(schema.fields) });
    const subject = valueSubject(config.TOPIC_USERS);
    // Through the producer's own registration path, as a changed user-vN.avsc would go.
    const err = await registerValueSchema(config, incompatible, `user schema (${label})`).catch(
      (e: Error) => e,
    );
    expect(err).toBeInstanceOf(Error);
    const message = (err as Error).message;
    expect(message).toContain(`schema registry ${config.SCHEMA_REGISTRY_URL}: user schema (${label})`);
    expect(message).toContain(`is not BACKWARD compatible with the schemas already under ${subject}`);
    expect(message).toContain("HTTP 409");
    expect(message).toMatch(/Registry says: .*incompatible/i);
    expect(await createRegistryClient(config).getAllVersions(subject)).toEqual([1]);
  });
});

type Field = { name: string; type: unknown };

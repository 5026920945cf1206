import type { KafkaJS } from "@confluentinc/kafka-javascript";
import avro from "avsc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDeadLetter } from "../../common/src/contracts/dead-letter.ts";
import { userSchema } from "../../common/src/user-schema.ts";
import { encodeWire } from "../../common/src/wire-format.ts";
import { createRng } from "../../producer/src/rng.ts";
import { createRegistryClient, valueSubject } from "../../producer/src/schema-registry.ts";
import { syntheticUser } from "../../producer/src/synthetic-users.ts";
import { mapUser } from "../../producer/src/user-mapping.ts";
import type { RefEvent } from "./core/reference.ts";
import { readTopic, reference, testProducer, waitForFinal, waitForUsers } from "./testing/harness.ts";
import { useTestBed } from "./testing/test-bed.ts";

// Input the registry accepts but the store cannot take (a key missing, empty or over Cassandra's limit) is
// dead-lettered at the decoding edge, with the reason; a write refused for good stops the processor loudly
// instead of being retried forever.
describe("processor: records the store cannot take, and errors no retry fixes", () => {
  const bed = useTestBed("perm", { TOPIC_PARTITIONS: "1", IDLE_TIMEOUT_MS: "1000", STORE_USERS: "true" });
  let producer: KafkaJS.Producer;
  const events: RefEvent[] = [];
  let v1Id = 0;
  const rng = createRng(5);
  const base = Date.parse("2026-05-01T00:00:00Z");

  const user = (i: number) => {
    const t = base + i * 500;
    const mapped = mapUser(syntheticUser(rng, t), t, userSchema(1).type);
    if (!mapped.ok) throw new Error(mapped.reason);
    return mapped.record;
  };

  beforeAll(async () => {
    v1Id = bed.schema.id;
    producer = await testProducer(bed.config);
  });

  afterAll(async () => {
    await producer.disconnect();
  });

  it("dead-letters a record without its keys, and stops on a write Cassandra refuses for good", async () => {
    const { config, client } = bed;
    // BACKWARD-compatible, so the registry takes it: a new writer that no longer sends the username.
    const schema = JSON.parse(userSchema(1).text) as { fields: { name: string }[] };
    schema.fields = schema.fields.filter((f) => f.name !== "username");
    const noUsername = avro.Type.forSchema(schema as avro.Schema);
    const noUsernameId = await createRegistryClient(config).register(valueSubject(config.TOPIC_USERS), {
      schemaType: "AVRO",
      schema: JSON.stringify(schema),
    });
    const messages: { key: string; value: Buffer; headers: Record<string, string> }[] = [];
    for (let i = 0; i < 20; i++) {
      const r = user(i);
      events.push({ partition: 0, eventTime: r.event_time, fields: { ...r } });
      messages.push({
        key: r.event_id,
        value: encodeWire(v1Id, userSchema(1).type.toBuffer(r)),
        headers: { source: "synthetic" },
      });
    }
    const emptyName = { ...user(100), username: "" };
    const hugeName = { ...user(102), username: "u".repeat(70_000) };
    const hugeNat = { ...user(103), nat: "N".repeat(70_000) };
    const { username: _, ...withoutName } = user(101);
    messages.splice(5, 0, {
      key: "empty-username",
      value: encodeWire(v1Id, userSchema(1).type.toBuffer(emptyName)),
      headers: { source: "synthetic" },
    });
    messages.splice(8, 0, {
      key: "huge-username",
      value: encodeWire(v1Id, userSchema(1).type.toBuffer(hugeName)),
      headers: { source: "synthetic" },
    });
    messages.splice(10, 0, {
      key: "huge-nat",
      value: encodeWire(v1Id, userSchema(1).type.toBuffer(hugeNat)),
      headers: { source: "synthetic" },
    });
    messages.splice(12, 0, {
      key: "no-username",
      value: encodeWire(noUsernameId, noUsername.toBuffer(withoutName)),
      headers: { source: "synthetic" },
    });
    await producer.send({ topic: config.TOPIC_USERS, messages });

    const p = await bed.start();
    const expected = reference(events, config);
    expect(await waitForFinal(client, config, expected)).toEqual(expected);
    expect(await waitForUsers(client, config, events.length)).toBe(events.length);
    expect(p.status().deadLettered).toBe(4);
    const letters = await readTopic(config, config.TOPIC_DLQ, 4);
    const reasons = Object.fromEntries(letters.map((l) => [l.key, parseDeadLetter(l.value)]));
    expect(reasons["empty-username"]?.stage).toBe("decode");
    expect(reasons["empty-username"]?.reason).toMatch(/^invalid user record: username/);
    expect(reasons["huge-username"]?.reason).toMatch(
      /^invalid user record: username: .*65535-byte key limit/,
    );
    expect(reasons["huge-nat"]?.reason).toBe(
      "invalid event: nat is 70000 bytes, over Cassandra's 65535-byte key limit",
    );
    expect(reasons["no-username"]?.stage).toBe("decode");
    expect(reasons["no-username"]?.reason).toMatch(
      new RegExp(`schema id ${noUsernameId} cannot be read as a user record: .*username`),
    );
    expect(p.status().failure).toBeNull();

    // The users table changed under the processor (age became text): no retry can make a write pass.
    const ks = config.CASSANDRA_KEYSPACE;
    await client.execute(`DROP TABLE ${ks}.users`);
    await client.execute(`CREATE TABLE ${ks}.users (
      event_id text PRIMARY KEY, event_time timestamp, title text, first_name text, last_name text,
      gender text, nat text, country text, city text, state text, street text, postcode text,
      latitude double, longitude double, timezone_offset text, email text, username text, age text,
      dob timestamp, registered_at timestamp, phone text, cell text, id_name text, id_value text,
      picture text, source text, timezone_description text, kafka_partition int, kafka_offset bigint)`);
    const r = user(200);
    await producer.send({
      topic: config.TOPIC_USERS,
      messages: [{ key: r.event_id, value: encodeWire(v1Id, userSchema(1).type.toBuffer(r)) }],
    });
    const err = await Promise.race([
      p.failed,
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error("processor did not fail")), 60_000),
      ),
    ]);
    expect(err.message).toMatch(/^users: the Cassandra driver refused the values: Not a valid text value/);
    expect(p.status().failure).toBe(err.message);
    const health = await fetch(`http://127.0.0.1:${p.port}/healthz`);
    expect(health.status).toBe(503);
    expect(((await health.json()) as { reason: string }).reason).toBe(err.message);
  });
});

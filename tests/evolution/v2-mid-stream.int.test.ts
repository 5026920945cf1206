import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Client } from "cassandra-driver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Config } from "../../common/src/config.ts";
import type { RefRow } from "../../processor/src/core/reference.ts";
import {
  type ChildProcessor,
  cassandraClient,
  dropAll,
  reference,
  spawnProcessor,
  topicSize,
  uniqueConfig,
  waitForFinal,
  waitForUsers,
  writeFixture,
} from "../../processor/src/testing/harness.ts";
import { parseFixtureLine } from "../../producer/src/fixture-format.ts";
import { type RandomUser, RandomUserSchema } from "../../producer/src/random-user.ts";
import { replayFile } from "../../producer/src/replay.ts";
import { createRegistryClient, valueSubject } from "../../producer/src/schema-registry.ts";
import { CassandraStore } from "../../web/src/adapters/cassandra-store.ts";
import { createApp } from "../../web/src/app.tsx";
import type { User } from "../../web/src/ports.ts";
import { testWorld } from "../../web/src/testing/deps.ts";

// Schema evolution mid-stream, through every real part: a producer on user schema v1, then one on v2 (adds
// timezone_description and source with defaults, drops id_value, which had one), both registered under
// BACKWARD on the same subject while one processor (a child, as in production) reads the topic. The processor
// resolves each record by its writer schema id; the users table and the API carry the new field for the v2
// records only, v1 records keep their id_value, and the aggregates equal the reference over all events.
describe("user schema v2 mid-stream", () => {
  const dir = mkdtempSync(join(tmpdir(), "evolution-"));
  const COUNT = 2_000;
  const start = Date.parse("2026-04-01T00:00:00Z");
  let config: Config;
  let client: Client;
  let expected: RefRow[];
  let processor: ChildProcessor | null = null;
  let v1Users: RandomUser[] = [];
  let v2Users: RandomUser[] = [];

  beforeAll(async () => {
    config = uniqueConfig("evo2", { TOPIC_PARTITIONS: "2" });
    client = cassandraClient(config);
    await client.connect();
    const file = join(dir, "all.ndjson");
    const events = await writeFixture(file, {
      count: COUNT,
      seed: 16,
      startMs: start,
      spacingMs: 10,
      disorderMs: 2_000,
      lateEvery: 0,
      lateMs: 0,
    });
    expected = reference(events, config);
    // One stream cut in two in file order: the disorder across the cut is the stream's own, below L.
    const lines = readFileSync(file, "utf8").trimEnd().split("\n");
    const half = COUNT / 2;
    writeFileSync(join(dir, "v1.ndjson"), `${lines.slice(0, half).join("\n")}\n`);
    writeFileSync(join(dir, "v2.ndjson"), `${lines.slice(half).join("\n")}\n`);
    const user = (line: string, i: number) => {
      const parsed = parseFixtureLine(line, i + 1);
      if (!parsed.ok) throw new Error(parsed.reason);
      return RandomUserSchema.parse(parsed.user);
    };
    v1Users = lines.slice(0, half).map(user);
    v2Users = lines.slice(half).map(user);
    processor = spawnProcessor(config);
    await processor.started;
  }, 180_000);

  afterAll(async () => {
    if (processor && processor.child.exitCode === null) {
      processor.child.kill("SIGTERM");
      await processor.exited;
    }
    await dropAll(config, client);
    const registry = createRegistryClient(config);
    const subject = valueSubject(config.TOPIC_USERS);
    await registry.deleteSubject(subject, false).catch(() => undefined);
    await registry.deleteSubject(subject, true).catch(() => undefined);
    await client.shutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it("is aggregated exactly and stored with the fields of each record's own version", async () => {
    const v1 = await replayFile(join(dir, "v1.ndjson"), config, { schemaVersion: 1 });
    const v2 = await replayFile(join(dir, "v2.ndjson"), config, { schemaVersion: 2 });
    expect([v1.sent, v1.rejected, v1.failed]).toEqual([COUNT / 2, 0, 0]);
    expect([v2.sent, v2.rejected, v2.failed]).toEqual([COUNT / 2, 0, 0]);

    const registry = createRegistryClient(config);
    const subject = valueSubject(config.TOPIC_USERS);
    expect(await registry.getCompatibility(subject)).toBe("BACKWARD");
    expect(await registry.getAllVersions(subject)).toEqual([1, 2]);

    expect(await waitForFinal(client, config, expected, 150_000)).toEqual(expected);
    expect(await waitForUsers(client, config, COUNT)).toBe(COUNT);
    expect(await topicSize(config, config.TOPIC_DLQ)).toBe(0);

    const rs = await client.execute(
      `SELECT event_id, id_value, timezone_description, source FROM ${config.CASSANDRA_KEYSPACE}.users`,
      [],
      { fetchSize: COUNT * 2, readTimeout: 60_000 },
    );
    const stored = new Map(rs.rows.map((r) => [String(r.get("event_id")), r]));
    expect(stored.size).toBe(COUNT);
    for (const u of v1Users) {
      const r = stored.get(u.login.uuid);
      expect(r?.get("timezone_description"), u.login.uuid).toBeNull();
      expect(r?.get("id_value"), u.login.uuid).toBe(u.id.value);
    }
    for (const u of v2Users) {
      const r = stored.get(u.login.uuid);
      expect(r?.get("timezone_description"), u.login.uuid).toBe(u.location.timezone.description);
      expect(r?.get("id_value"), u.login.uuid).toBeNull();
      expect(r?.get("source"), u.login.uuid).toBe("fixture");
    }
  }, 300_000);

  it("shows the new field in GET /api/users/<id> and the user page for v2 records only", async () => {
    const app = createApp(testWorld({ users: new CassandraStore(client, config.CASSANDRA_KEYSPACE) }).deps);
    const withId = v1Users.find((u) => u.id.value !== null) ?? v1Users[0]!;
    const old = (await (await app.request(`/api/users/${withId.login.uuid}`)).json()) as User;
    expect(old.timezoneDescription).toBeNull();
    expect(old.idValue).toBe(withId.id.value);
    expect(old.timezoneOffset).toBe(withId.location.timezone.offset);

    const newer = v2Users[0]!;
    const res = await app.request(`/api/users/${newer.login.uuid}`);
    expect(res.status).toBe(200);
    const got = (await res.json()) as User;
    expect(got.timezoneDescription).toBe(newer.location.timezone.description);
    expect(got.idValue).toBeNull();

    const html = (s: string) => s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
    const newPage = await (await app.request(`/users/${newer.login.uuid}`)).text();
    expect(newPage).toContain(`<dt>Timezone</dt><dd>${html(newer.location.timezone.description)}</dd>`);
    const oldPage = await (await app.request(`/users/${withId.login.uuid}`)).text();
    expect(oldPage).toContain("<dt>Timezone offset</dt>");
    expect(oldPage).not.toContain("<dt>Timezone</dt>");
  });
});

import { Client } from "cassandra-driver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isolatedConfig } from "../../producer/src/testing/test-config.ts";
import { DEFAULT_RETENTION, migrate, migrations, tableRetention, tableTtls } from "./cassandra-schema.ts";
import { contactPoints } from "./cassandra-settings.ts";

const config = isolatedConfig("schema_ttl", {
  CASSANDRA_TTL_USERS_SECONDS: "3600",
  CASSANDRA_TTL_WINDOWS_SECONDS: "7200",
  CASSANDRA_TTL_RUNS_SECONDS: "900",
});
const ks = config.CASSANDRA_KEYSPACE;
const client = new Client({
  contactPoints: contactPoints(config),
  localDataCenter: config.CASSANDRA_DC,
  socketOptions: { connectTimeout: 15_000, readTimeout: 30_000 },
});

describe("retention migration against the real Cassandra", () => {
  beforeAll(() => client.connect());
  afterAll(async () => {
    await client.execute(`DROP KEYSPACE IF EXISTS ${ks}`).catch(() => undefined);
    await client.shutdown();
  });

  it("sets every table's default_time_to_live from the config, checkpoints never expire", async () => {
    expect(await migrate(client, ks, undefined, tableRetention(config))).toBe(migrations.at(-1)?.version);
    const ttls = await tableTtls(client, ks);
    expect(
      Object.fromEntries(
        [
          "users",
          "users_by_username",
          "window_aggregates",
          "ingestion_runs",
          "processor_checkpoints",
          "processor_instances",
          "ingestion_schedule",
        ].map((t) => [t, ttls.get(t)]),
      ),
    ).toEqual({
      users: 3600,
      users_by_username: 3600,
      window_aggregates: 7200,
      ingestion_runs: 900,
      processor_checkpoints: 0,
      processor_instances: 600,
      ingestion_schedule: 0,
    });
    const rows = await client.execute(`SELECT version FROM ${ks}.schema_migrations WHERE version = 4`);
    expect(rows.rowLength).toBe(1);
  });

  it("applies a retention changed in the config at the next start, a row written after it expiring", async () => {
    const changed = { ...tableRetention(config), window_aggregates: 2 };
    await migrate(client, ks, undefined, changed);
    expect((await tableTtls(client, ks)).get("window_aggregates")).toBe(2);
    await client.execute(
      `INSERT INTO ${ks}.window_aggregates (group_name, hour, window_start, key, kafka_partition, count) VALUES ('nat', 1, 1, 'FR', 0, 1)`,
    );
    const ttl = await client.execute(
      `SELECT TTL(count) AS ttl FROM ${ks}.window_aggregates WHERE group_name = 'nat' AND hour = 1`,
    );
    expect(ttl.first()?.get("ttl")).toBeGreaterThan(0);
    await expect
      .poll(
        async () =>
          (
            await client.execute(
              `SELECT count FROM ${ks}.window_aggregates WHERE group_name = 'nat' AND hour = 1`,
            )
          ).rowLength,
        { timeout: 10_000, interval: 500 },
      )
      .toBe(0);
    // Without a config of its own (tests, bench) migrate changes no table's retention.
    await migrate(client, ks);
    expect((await tableTtls(client, ks)).get("window_aggregates")).toBe(2);
    expect(DEFAULT_RETENTION.window_aggregates).toBe(30 * 86_400);
  }, 30_000);
});

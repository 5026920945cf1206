import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Client, types } from "cassandra-driver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HOUR_MS, hourBucket } from "../../../common/src/cassandra-schema.ts";
import type { Config } from "../../../common/src/config.ts";
import { createLogger } from "../../../common/src/logger.ts";
import { replayFile } from "../../../producer/src/replay.ts";
import { deleteRecordsBefore } from "../../../stack/delete-records.ts";
import {
  diffWindows,
  type Golden,
  type GoldenWindow,
  goldenPath,
  toGolden,
} from "../../../tests/golden/golden.ts";
import { startWebServer } from "../../../web/src/runtime/node-server.ts";
import { loadWebConfig } from "../../../web/src/web-config.ts";
import { FINAL_WRITE_TIMESTAMP } from "../adapters/cassandra-store.ts";
import type { RefEvent, RefRow } from "../core/reference.ts";
import { type ProcessorHandle, startProcessor } from "../start-processor.ts";
import {
  type ChildProcessor,
  cassandraClient,
  configEnv,
  dropAll,
  finalRows,
  groupsOf,
  hoursOf,
  readMerged,
  reference,
  spawnProcessor,
  uniqueConfig,
  waitFor,
  waitForFinal,
  writeFixture,
} from "../testing/harness.ts";

const root = new URL("../../..", import.meta.url).pathname;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `bun run rebuild` as its own process (node, as package.json runs it). */
function rebuild(config: Config, args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ["--import", "tsx", "processor/src/rebuild/cli.ts", ...args], {
    cwd: root,
    env: { ...process.env, ...configEnv(config), LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d));
  child.stderr.on("data", (d: Buffer) => (stderr += d));
  const done = new Promise<Run>((resolve) => child.once("exit", (code) => resolve({ code, stdout, stderr })));
  return { child, done };
}

const iso = (ms: number) => new Date(ms).toISOString();
const long = (n: number) => types.Long.fromNumber(n);

/**
 * Corrupts final rows the way a buggy processor would, at the final rows' own write timestamp (so no
 * ordinary write undoes them): wrong counts, deleted rows, a row for a key that never existed.
 */
async function corrupt(client: Client, config: Config, from: number, to: number): Promise<number> {
  const ks = config.CASSANDRA_KEYSPACE;
  let changed = 0;
  for (const group of groupsOf(config)) {
    for (let h = hourBucket(from); h <= hourBucket(to - 1); h++) {
      const rs = await client.execute(
        `SELECT window_start, key, kafka_partition, count FROM ${ks}.window_aggregates WHERE group_name = ? AND hour = ? AND window_start >= ? AND window_start < ?`,
        [group, h, long(from), long(to)],
        { prepare: true, fetchSize: 100_000 },
      );
      for (const [i, r] of rs.rows.entries()) {
        const pk = [group, h, r.get("window_start"), r.get("key"), r.get("kafka_partition")];
        if (i % 3 === 0) {
          await client.execute(
            `UPDATE ${ks}.window_aggregates USING TIMESTAMP ? SET count = ? WHERE group_name = ? AND hour = ? AND window_start = ? AND key = ? AND kafka_partition = ?`,
            [FINAL_WRITE_TIMESTAMP, long((r.get("count") as types.Long).toNumber() * 2 + 1), ...pk],
            { prepare: true },
          );
          changed++;
        } else if (i % 3 === 1) {
          await client.execute(
            `DELETE FROM ${ks}.window_aggregates USING TIMESTAMP ? WHERE group_name = ? AND hour = ? AND window_start = ? AND key = ? AND kafka_partition = ?`,
            [FINAL_WRITE_TIMESTAMP, ...pk],
            { prepare: true },
          );
          changed++;
        }
      }
      // One window of one key gone altogether (every partition's row), in the hour's first window.
      const first = Math.max(from, h * HOUR_MS);
      const gone = rs.rows.find((r) => (r.get("window_start") as types.Long).toNumber() === first);
      if (gone) {
        await client.execute(
          `DELETE FROM ${ks}.window_aggregates USING TIMESTAMP ? WHERE group_name = ? AND hour = ? AND window_start = ? AND key = ?`,
          [FINAL_WRITE_TIMESTAMP, group, h, long(first), gone.get("key")],
          { prepare: true },
        );
      }
      await client.execute(
        `INSERT INTO ${ks}.window_aggregates (group_name, hour, window_start, key, kafka_partition, window_end, count, sum_age, min_age, max_age, final) VALUES (?, ?, ?, 'no-such-key', 0, ?, 3, 90, 30, 30, true) USING TIMESTAMP ?`,
        [group, h, long(first), long(first + config.WINDOW_SIZE_MS), FINAL_WRITE_TIMESTAMP],
        { prepare: true },
      );
      changed++;
    }
  }
  return changed;
}

const asGolden = (rows: readonly RefRow[]): GoldenWindow[] => rows.map(toGolden);

// (a) + (c): a committed fixture with late events (lateness per partition) through the real processor;
// final rows of a range corrupted; the rebuild, run while the processor goes on, restores the golden
// aggregates in Cassandra and through the API; a range older than what the topic holds is refused.
describe("rebuild: a corrupted range restored to the golden aggregates", () => {
  const fixture = join(root, "fixtures", "late.ndjson");
  const golden = JSON.parse(readFileSync(goldenPath(fixture), "utf8")) as Golden;
  const log = createLogger("rebuild-test", "warn");
  let config: Config;
  let client: Client;
  let processor: ProcessorHandle | null = null;
  let web: Awaited<ReturnType<typeof startWebServer>> | null = null;
  const starts = [...new Set(golden.windows.map((w) => w.windowStart))].sort((a, b) => a - b);
  const hours = new Set(starts.map(hourBucket));

  const api = async () => {
    const out: (GoldenWindow & { final: boolean })[] = [];
    for (const group of golden.window.groups) {
      const res = await fetch(
        `${web!.url}/api/aggregates?group=${group}&from=${starts[0]}&to=${starts.at(-1)! + 1}`,
      );
      expect(res.status).toBe(200);
      out.push(...((await res.json()) as { windows: (GoldenWindow & { final: boolean })[] }).windows);
    }
    return out;
  };
  const stored = async () => {
    const rows = finalRows(await readMerged(client, config, hours));
    return rows === null ? ["a window is not final"] : diffWindows(golden.windows, asGolden(rows));
  };

  beforeAll(async () => {
    config = uniqueConfig("rebuild", { TOPIC_PARTITIONS: String(golden.partitions) });
    client = cassandraClient(config);
    await client.connect();
    processor = await startProcessor(config, { log });
    web = await startWebServer(loadWebConfig({ ...configEnv(config), WEB_PORT: "0" }), log);
    const stats = await replayFile(fixture, config, { log });
    expect(stats.sent).toBe(golden.events);
    await waitFor("the golden aggregates", stored, (d) => d.length === 0, 180_000, 1000);
  });

  afterAll(async () => {
    await processor?.stop().catch(() => undefined);
    await web?.close();
    await dropAll(config, client);
    await client.shutdown();
  });

  it("restores every window of the range, touches none outside it, and the API serves them", async () => {
    // Every window but the first and the last: those stay as the live processor wrote them.
    const from = starts[1]!;
    const to = starts.at(-1)!;
    expect(await corrupt(client, config, from, to)).toBeGreaterThan(10);
    const broken = await stored();
    expect(broken.some((l) => l.startsWith("differs"))).toBe(true);
    expect(broken.some((l) => l.startsWith("missing"))).toBe(true);
    expect(broken.some((l) => l.startsWith("unexpected"))).toBe(true);
    // The API serves (and its history cache may keep) the corrupted rows.
    expect(diffWindows(golden.windows, await api()).length).toBeGreaterThan(0);

    const run = await rebuild(config, ["--from", iso(from), "--to", iso(to)]).done;
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^rebuild \S+ done: \d+ window rows written/);
    expect(run.stderr).toContain("starting rebuild");
    expect(run.stderr).toMatch(/partition 5: .*done/);

    expect(await stored()).toEqual([]);
    const served = await api();
    expect(diffWindows(golden.windows, served)).toEqual([]);
    expect(served.every((w) => w.final)).toBe(true);
  });

  it("from the records at an offset, to the default end: every window, the earlier rebuild's rows replaced", async () => {
    await corrupt(client, config, starts[0]!, starts.at(-1)! + 1);
    expect((await stored()).length).toBeGreaterThan(0);
    const run = await rebuild(config, ["--from", "offset:0"]).done;
    expect(run.code, run.stderr).toBe(0);
    // The earliest event at offset 0 of any partition opens the range; the end is the live horizon.
    expect(run.stderr).toContain(`windows from ${iso(starts[0]!)}`);
    expect(await stored()).toEqual([]);
    expect(diffWindows(golden.windows, await api())).toEqual([]);
  });

  it("refuses a range older than what the topic still holds, and changes nothing", async () => {
    await deleteRecordsBefore(config, config.TOPIC_USERS, 0, 5);
    const run = await rebuild(config, ["--from", iso(starts[0]!)]).done;
    expect(run.code).toBe(3);
    expect(run.stderr).toContain("rebuild refused: the range starting");
    expect(run.stderr).toContain(
      `is older than what Kafka still holds: partition 0 of ${config.TOPIC_USERS} starts at offset 5 now`,
    );
    expect(await stored()).toEqual([]);
  });
});

// (b) + (d): a rebuild killed with SIGKILL midway and run again ends exact, while the live processor
// (a child process) goes on processing new events of the same topic, which end exact too.
describe("rebuild: kill -9 midway, run again, while the live processor goes on", () => {
  const dir = mkdtempSync(join(tmpdir(), "rebuild-kill-"));
  const t0 = Date.parse("2026-03-01T00:00:00Z");
  let config: Config;
  let client: Client;
  let live: ChildProcessor | null = null;
  let first: RefEvent[];
  let second: RefEvent[];

  beforeAll(async () => {
    config = uniqueConfig("rebuildkill", { TOPIC_PARTITIONS: "3", IDLE_TIMEOUT_MS: "1000" });
    client = cassandraClient(config);
    await client.connect();
    const fixture = { spacingMs: 10, disorderMs: 4_000, lateEvery: 0, lateMs: 0 };
    // The first stream in two parts: 150 s of event time, then 250 s more, the second part replayed once
    // the live processor checkpointed the first (within L + the idle advance, so nothing is late).
    const head = await writeFixture(join(dir, "first-a.ndjson"), {
      ...fixture,
      count: 15_000,
      seed: 3,
      startMs: t0,
    });
    const tail = await writeFixture(join(dir, "first-b.ndjson"), {
      ...fixture,
      count: 25_000,
      seed: 5,
      startMs: t0 + 160_000,
    });
    first = [...head, ...tail];
    second = await writeFixture(join(dir, "second.ndjson"), {
      ...fixture,
      count: 20_000,
      seed: 4,
      // Hours of its own (the first stream is read back by hour while this one flows).
      startMs: t0 + 9_000_000,
    });
    // Checkpoints often, so that the marks a rebuild starts from exist within the stream.
    live = spawnProcessor(config, { PROCESSOR_CHECKPOINT_INTERVAL_MS: "100" });
    await live.started;
    expect((await replayFile(join(dir, "first-a.ndjson"), config)).sent).toBe(head.length);
    await waitFor(
      "a checkpoint mark of every partition",
      async () =>
        (
          await client.execute(
            `SELECT kafka_partition FROM ${config.CASSANDRA_KEYSPACE}.processor_checkpoint_marks`,
          )
        ).rows.map((r) => r.get("kafka_partition") as number),
      (parts) => new Set(parts).size === 3,
      30_000,
      50,
    );
    expect((await replayFile(join(dir, "first-b.ndjson"), config)).sent).toBe(tail.length);
    expect(await waitForFinal(client, config, reference(first, config), 180_000)).toEqual(
      reference(first, config),
    );
  });

  afterAll(async () => {
    if (live && live.child.exitCode === null) live.child.kill("SIGKILL");
    await dropAll(config, client);
    await client.shutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it("resumes from its progress to the exact result; the live processor stays exact", async () => {
    const expected = reference(first, config);
    const starts = [...new Set(expected.map((r) => r.windowStart))].sort((a, b) => a - b);
    // Within the second part: every partition starts after the first part, from a checkpoint mark.
    const from = t0 + 200_000;
    const to = t0 + 330_000;
    expect(starts).toContain(from);
    await corrupt(client, config, from, to);
    expect(finalRows(await readMerged(client, config, hoursOf(expected)))).not.toEqual(expected);

    // The live processor takes new events of the same topic while the rebuild runs.
    const replaying = replayFile(join(dir, "second.ndjson"), config);
    const args = ["--from", iso(from), "--to", iso(to)];
    const slow = { REBUILD_BATCH_SIZE: "20", REBUILD_PROGRESS_INTERVAL_MS: "20" };
    const killed = rebuild(config, args, slow);
    const ks = config.CASSANDRA_KEYSPACE;
    // Killed once a partition is done and the next one has stored progress of its own.
    await waitFor(
      "a partition done and another one under way",
      async () =>
        (await client.execute(`SELECT done, next_offset FROM ${ks}.rebuild_progress`)).rows.map((r) => ({
          done: r.get("done") === true,
          next: (r.get("next_offset") as types.Long).toNumber(),
        })),
      (rows) => rows.some((r) => r.done) && rows.some((r) => !r.done && r.next > 0),
      120_000,
      50,
    );
    killed.child.kill("SIGKILL");
    expect((await killed.done).code).toBeNull();
    const jobs = await client.execute(`SELECT status, start_offsets FROM ${ks}.rebuild_jobs`);
    expect(jobs.rows.map((r) => r.get("status"))).toEqual(["running"]);
    // The live run's checkpoint marks let each partition start past its beginning, not from offset 0.
    const startAt = Object.values(jobs.rows[0]!.get("start_offsets") as Record<string, types.Long>);
    expect(startAt).toHaveLength(3);
    expect(startAt.every((o) => o.toNumber() > 0)).toBe(true);

    const again = await rebuild(config, args).done;
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain("resuming rebuild");
    expect((await client.execute(`SELECT status FROM ${ks}.rebuild_jobs`)).rows[0]?.get("status")).toBe(
      "done",
    );
    const rebuilt = finalRows(await readMerged(client, config, hoursOf(expected)));
    expect(diffWindows(asGolden(expected), asGolden(rebuilt ?? []))).toEqual([]);

    // The live processor went on meanwhile: the new events end exact too, the old range untouched by it.
    expect((await replaying).sent).toBe(second.length);
    const all = reference([...first, ...second], config);
    expect(await waitForFinal(client, config, all, 180_000)).toEqual(all);
    expect(live!.child.exitCode).toBeNull();
  });
});

// Hopping windows (W 10 s, slide 5 s): each event in two windows; the range and where each partition
// stops follow the slide. Corrupted, rebuilt, equal to the reference.
describe("rebuild: hopping windows", () => {
  const dir = mkdtempSync(join(tmpdir(), "rebuild-hop-"));
  let config: Config;
  let client: Client;
  let processor: ProcessorHandle | null = null;
  let events: RefEvent[];

  beforeAll(async () => {
    config = uniqueConfig("rebuildhop", {
      TOPIC_PARTITIONS: "3",
      WINDOW_SLIDE_MS: "5000",
      IDLE_TIMEOUT_MS: "1000",
    });
    client = cassandraClient(config);
    await client.connect();
    const file = join(dir, "hop.ndjson");
    events = await writeFixture(file, {
      count: 6_000,
      seed: 9,
      startMs: Date.parse("2026-04-01T00:00:00Z"),
      spacingMs: 20,
      disorderMs: 3_000,
      lateEvery: 0,
      lateMs: 0,
    });
    processor = await startProcessor(config, { log: createLogger("rebuild-test", "warn") });
    expect((await replayFile(file, config)).sent).toBe(events.length);
    const expected = reference(events, config);
    expect(await waitForFinal(client, config, expected, 180_000)).toEqual(expected);
  });

  afterAll(async () => {
    await processor?.stop().catch(() => undefined);
    await dropAll(config, client);
    await client.shutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it("restores the reference aggregates of the range", async () => {
    const expected = reference(events, config);
    const starts = [...new Set(expected.map((r) => r.windowStart))].sort((a, b) => a - b);
    // A range that starts and ends off the tumbling grid (on the slide's).
    const from = starts[5]!;
    const to = starts.at(-6)!;
    expect((from / 5_000) % 2).toBe(1);
    await corrupt(client, config, from, to);
    const broken = finalRows(await readMerged(client, config, hoursOf(expected)));
    expect(diffWindows(asGolden(expected), asGolden(broken ?? [])).length).toBeGreaterThan(0);
    const run = await rebuild(config, ["--from", iso(from), "--to", iso(to)]).done;
    expect(run.code, run.stderr).toBe(0);
    const rebuilt = finalRows(await readMerged(client, config, hoursOf(expected)));
    expect(diffWindows(asGolden(expected), asGolden(rebuilt ?? []))).toEqual([]);
  });
});

import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseEnv, promisify } from "node:util";
import { Client, types } from "cassandra-driver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contactPoints } from "../../common/src/cassandra-settings.ts";
import type { Config } from "../../common/src/config.ts";
import type { ProcessorStatus } from "../../common/src/contracts/processor-status.ts";
import { createAdmin } from "../../common/src/kafka-topics.ts";
import { partitionOf } from "../../common/src/partitioner.ts";
import { batchReference, type RefOp, streamingReference } from "../../processor/src/core/reference.ts";
import {
  type ChildProcessor,
  dropAll,
  readTopic,
  spawnProcessor,
  uniqueConfig,
  waitFor,
  waitForFinal,
  writeFixture,
} from "../../processor/src/testing/harness.ts";
import { replayFile } from "../../producer/src/replay.ts";
import { stackDirs } from "../../stack/paths.ts";
import { runningPid } from "../../stack/process.ts";

// The cluster under chaos (stack/cluster.env: 3 brokers, 3 Cassandra nodes, RF 3, min ISR 2, LOCAL_QUORUM)
// with three processor instances in one group and a paced, hold-out-like stream (disorder below L, every
// 500th event 30 s late): the broker leading partition 0 is killed with SIGKILL mid-stream and restarted,
// a Cassandra node is stopped for 30 s and restarted, a processor instance is killed with SIGKILL and
// restarted. The final aggregates equal the batch aggregation of the on-time events, every user is stored,
// and the late topic holds exactly the late events, each once.

const run = promisify(execFile);
const repo = new URL("../..", import.meta.url).pathname;
const profile = parseEnv(readFileSync(join(repo, "stack", "cluster.env"), "utf8"));
const stack = (...args: string[]) =>
  run(process.execPath, ["--import", "tsx", "stack/cli.ts", ...args, "--nodes", "3"], {
    cwd: repo,
    env: { ...process.env, ...profile },
    timeout: 300_000,
  });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (msg: string) => console.log(`[chaos +${((Date.now() - t0) / 1000).toFixed(0)} s] ${msg}`);
let t0 = Date.now();

async function statusOf(port: number): Promise<ProcessorStatus | null> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/status`, { signal: AbortSignal.timeout(2_000) });
    return (await res.json()) as ProcessorStatus;
  } catch {
    return null;
  }
}

const EVENTS = 240_000;
const PARTITIONS = 6;

describe("cluster chaos: broker, Cassandra node and processor failures mid-stream", () => {
  const dir = mkdtempSync(join(tmpdir(), "chaos-"));
  let config: Config;
  let client: Client;
  const children: ChildProcessor[] = [];

  beforeAll(async () => {
    await stack("up");
    config = uniqueConfig("chaos", {
      ...profile,
      TOPIC_PARTITIONS: String(PARTITIONS),
      PROCESSOR_METRICS_PORT: "0",
      // Longer than a leader failover (broker session 9 s + election): a partition whose leader is
      // being replaced is not declared idle, which would let the others' watermark close its windows.
      IDLE_TIMEOUT_MS: "30000",
    });
    // Test reads at LOCAL_QUORUM too: a node back from its outage may not have replayed its hints yet.
    client = new Client({
      contactPoints: contactPoints(config),
      localDataCenter: config.CASSANDRA_DC,
      queryOptions: { consistency: types.consistencies.localQuorum },
      socketOptions: { readTimeout: 60_000 },
    });
    await client.connect();
  });

  afterAll(async () => {
    for (const c of children)
      if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill("SIGKILL");
    await stack("up").catch(() => undefined);
    await dropAll(config, client);
    await client.shutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it("ends with the batch aggregation, every user once, and exactly the late events on the late topic", async () => {
    t0 = Date.now();
    const file = join(dir, "holdout.ndjson");
    const events = await writeFixture(file, {
      count: EVENTS,
      seed: 13,
      startMs: Date.now() - 60_000,
      spacingMs: 1,
      disorderMs: 4_000,
      lateEvery: 500,
      lateMs: 30_000,
    });
    // Lateness per source partition, in file order (contract §4), with the producer's partitioner.
    const ops: RefOp[] = events.map((e) => ({
      kind: "event",
      ...e,
      partition: partitionOf(String(e.fields.event_id), PARTITIONS),
    }));
    const partitions = Array.from({ length: PARTITIONS }, (_, p) => p);
    const streaming = streamingReference(ops, refConfig(config), partitions, 0);
    const lateSet = new Set(streaming.late);
    expect(lateSet.size).toBe(EVENTS / 500);
    log(
      `${EVENTS} events (${lateSet.size} late) over ${((events.at(-1)!.eventTime - events[0]!.eventTime) / 1000).toFixed(0)} s of event time`,
    );
    const lateIds = streaming.late.map((i) => String(events[i]!.fields.event_id)).sort();
    const expected = batchReference(
      events.filter((_, i) => !lateSet.has(i)),
      refConfig(config),
    );

    const start = (i: number) => {
      const c = spawnProcessor(config, {
        PROCESSOR_INSTANCE: `chaos-${i}`,
        PROCESSOR_CHECKPOINT_INTERVAL_MS: "1000",
      });
      children.push(c);
      return c;
    };
    const procs = [start(1), start(2), start(3)];
    const ports = await Promise.all(procs.map((p) => p.started));
    log(`3 processors up on ${ports.join(", ")}`);
    // Paced at the stream's own rate (~1 000 events/s), so every failure hits it mid-stream.
    const replay = replayFile(file, config, { speed: 1 });
    const progress = async () => {
      const all = await Promise.all(
        procs.map((p, i) => (p.child.exitCode === null ? statusOf(ports[i]!) : null)),
      );
      return all.reduce((a, s) => a + (s?.partitions.reduce((b, p) => b + p.nextOffset, 0) ?? 0), 0);
    };
    const reach = (n: number) => waitFor(`${n} processed`, progress, (p) => p >= n, 300_000, 500);

    // Each failure must land while events are still arriving.
    let replayDone = false;
    void replay.finally(() => {
      replayDone = true;
    });
    const midStream = (what: string) => {
      log(what);
      expect(replayDone, `${what}: the replay had already ended`).toBe(false);
    };

    // 1. The broker leading partition 0 of the users topic: kill -9, restarted 10 s later (in the
    // background: a broker takes a minute to rejoin on this machine, the stream goes on meanwhile).
    await reach(EVENTS * 0.08);
    const admin = createAdmin(config);
    await admin.connect();
    const meta = await admin.fetchTopicMetadata({ topics: [config.TOPIC_USERS] });
    await admin.disconnect();
    const leader = meta[0]!.partitions.find((p) => p.partitionId === 0)!.leader;
    const broker = `kafka-${leader}`;
    const pid = runningPid(stackDirs(config), broker);
    expect(pid).toBeDefined();
    process.kill(pid!, "SIGKILL");
    midStream(`killed ${broker} (pid ${pid}), leader of partition 0`);
    await sleep(10_000);
    const brokerBack = stack("up", broker).then(() => log(`${broker} back`));

    // 2. One Cassandra node stopped for 30 s; 3. meanwhile a processor instance killed with SIGKILL and
    // restarted 5 s later (its partitions resume from their checkpoints, written at LOCAL_QUORUM).
    await reach(EVENTS * 0.2);
    await stack("down", "cassandra-2");
    midStream("cassandra-2 stopped");
    const outage = sleep(30_000);
    await sleep(10_000);
    procs[0]!.child.kill("SIGKILL");
    await procs[0]!.exited;
    midStream("killed processor chaos-1");
    await sleep(5_000);
    procs[0] = start(1);
    ports[0] = await procs[0].started;
    log("processor chaos-1 back");
    await outage;
    await stack("up", "cassandra-2");
    log("cassandra-2 back");
    await brokerBack;

    const sent = await replay;
    log(`replay done: ${sent.sent} sent, ${sent.failed} failed`);
    expect(sent.sent).toBe(EVENTS);
    expect(sent.failed).toBe(0);

    const final = await waitForFinal(client, config, expected, 600_000).catch(async (err: Error) => {
      // What each instance says of its partitions and its clock: why a window stays open.
      for (const [i, p] of procs.entries()) {
        const s = p.child.exitCode === null ? await statusOf(ports[i]!) : null;
        const parts = s?.partitions.map(
          (q) => `${q.partition}@${q.nextOffset} wm ${q.watermark} idle ${q.idle} lag ${q.lag}`,
        );
        log(`chaos-${i + 1}: clockHeld ${s?.clockHeld ?? "-"}; ${parts?.join(", ") ?? "no status"}`);
        log(
          p.lines
            .filter((l) => /"level":(40|50|60)/.test(l))
            .slice(-15)
            .join("\n"),
        );
      }
      throw err;
    });
    expect(final).toEqual(expected);
    log("every window final and equal to the batch aggregation");
    expect(
      await waitFor(
        `${EVENTS} users`,
        () => countUsers(client, config),
        (n) => n >= EVENTS,
        300_000,
        2_000,
      ),
    ).toBe(EVENTS);
    const late = (await readTopic(config, config.TOPIC_LATE, lateIds.length + 1, 30_000)).map(
      (m) => m.key ?? "",
    );
    expect([...new Set(late)].sort(), "the late topic holds the late events and no other").toEqual(lateIds);
    const twice = late.filter((id, i) => late.indexOf(id) !== i);
    expect(twice, "late events forwarded more than once").toEqual([]);
    const dlq = await readTopic(config, config.TOPIC_DLQ, 1, 5_000);
    expect(dlq).toEqual([]);
    log("late topic holds exactly the late events; no dead letters");

    for (const p of procs) p.child.kill("SIGTERM");
    const codes = await Promise.all(procs.map((p) => p.exited));
    const errors = procs.flatMap((p, i) =>
      p.lines.filter((l) => /"level":(50|60)/.test(l)).map((l) => `chaos-${i + 1}: ${l}`),
    );
    expect(codes, errors.join("\n")).toEqual([0, 0, 0]);
  });
});

/**
 * Rows of the users table, counted over 64 slices of the token ring: one count(*) over the whole table at
 * LOCAL_QUORUM outlasts any read timeout on a loaded 2-core machine; -1 while a slice does not answer.
 */
async function countUsers(client: Client, config: Config): Promise<number> {
  const slices = 64n;
  const step = 2n ** 64n / slices;
  const bounds = Array.from({ length: Number(slices) + 1 }, (_, i) =>
    i === Number(slices) ? 2n ** 63n - 1n : -(2n ** 63n) + BigInt(i) * step,
  );
  const cql = (first: boolean) =>
    `SELECT count(*) FROM ${config.CASSANDRA_KEYSPACE}.users WHERE token(event_id) ${first ? ">=" : ">"} ? AND token(event_id) <= ?`;
  let total = 0;
  try {
    for (let i = 0; i < Number(slices); i += 4) {
      const counts = await Promise.all(
        [i, i + 1, i + 2, i + 3].map(async (j) => {
          const rs = await client.execute(
            cql(j === 0),
            [types.Long.fromString(String(bounds[j])), types.Long.fromString(String(bounds[j + 1]))],
            { prepare: true, readTimeout: 60_000 },
          );
          return Number(rs.first().get(0));
        }),
      );
      total += counts.reduce((a, c) => a + c, 0);
    }
  } catch {
    return -1;
  }
  return total;
}

function refConfig(config: Config) {
  return {
    windowSizeMs: config.WINDOW_SIZE_MS,
    windowSlideMs: config.WINDOW_SLIDE_MS,
    allowedLatenessMs: config.ALLOWED_LATENESS_MS,
    idleTimeoutMs: config.IDLE_TIMEOUT_MS,
    groupBy: config.GROUP_BY.split(",")
      .map((g) => g.trim())
      .filter((g) => g !== ""),
  };
}

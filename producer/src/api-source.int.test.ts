import { readFileSync } from "node:fs";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDeadLetter } from "../../common/src/contracts/dead-letter.ts";
import { type ApiRunResult, runApiOnce, runApiSchedule } from "./api-source.ts";
import { FixtureRecorder } from "./fixture-recorder.ts";
import { openPipeline, type Pipeline } from "./pipeline.ts";
import { replayFile } from "./replay.ts";
import { DAY_MS, RunsStore } from "./runs-store.ts";
import { cleanupIsolated } from "./testing/cleanup.ts";
import { type FaultServer, startFaultServer } from "./testing/fault-server.ts";
import { isolatedConfig } from "./testing/test-config.ts";
import { readTopic } from "./testing/topic-reader.ts";

const api = (name: string) => readFileSync(new URL(`../../fixtures/api/${name}`, import.meta.url), "utf8");
const fast = { timeoutMs: 500, backoff: { baseMs: 10, maxMs: 50 }, maxAttempts: 4 };

let server: FaultServer;
let config: ReturnType<typeof isolatedConfig>;
let pipeline: Pipeline;
let runs: RunsStore;

beforeAll(async () => {
  server = await startFaultServer({ kind: "page", body: api("page-good.json") });
  config = isolatedConfig("api", { RANDOMUSER_URL: server.url, RANDOMUSER_RESULTS: "6" });
  pipeline = await openPipeline(config);
  runs = await RunsStore.connect(config);
});

afterAll(async () => {
  await pipeline?.close();
  await runs?.close();
  await server?.close();
  if (config) await cleanupIsolated(config, { keyspace: true });
});

describe("api source against a local fault server, the real Kafka and Cassandra", () => {
  it("rides out a 500, a timeout and a truncated body; sends the good users, dead-letters the bad one; records the run", async () => {
    server.script([
      { kind: "status", status: 500 },
      { kind: "hang" },
      { kind: "truncated", body: api("page-one-bad.json") },
      { kind: "page", body: api("page-one-bad.json") },
    ]);
    const dir = await mkdtemp(join(tmpdir(), "api-record-"));
    const recorder = new FixtureRecorder(join(dir, "recorded.ndjson"));
    const result = await runApiOnce(config, { pipeline, runs, recorder, fetch: fast });
    await recorder.close();
    expect(result).toMatchObject({
      status: "success",
      fetched: 6,
      sent: 5,
      rejected: 1,
      failed: 0,
      error: null,
    });
    expect(server.requests.at(-1)?.get("results")).toBe("6");

    const page = JSON.parse(api("page-one-bad.json")) as {
      results: { login: { uuid?: string; password: string } }[];
    };
    const users = await readTopic(config, config.TOPIC_USERS, 5);
    expect(users.map((m) => m.key).sort()).toEqual(
      page.results.flatMap((u) => (u.login.uuid ? [u.login.uuid] : [])).sort(),
    );
    expect(users.every((m) => m.headers.source === "api")).toBe(true);
    const [dead] = await readTopic(config, config.TOPIC_DLQ, 1);
    const letter = parseDeadLetter(dead!.value);
    expect(letter).toMatchObject({ stage: "map", source: "api" });
    expect(letter.reason).toContain("login.uuid");
    for (const u of page.results) expect(letter.payload).not.toContain(u.login.password);

    const stored = (await runs.list(Math.floor(result.startedAt.getTime() / DAY_MS))).find(
      (r) => r.runId === result.runId,
    );
    expect(stored).toMatchObject({
      source: "api",
      status: "success",
      fetched: 6,
      sent: 5,
      rejected: 1,
      failed: 0,
    });
    expect(stored?.endedAt?.getTime()).toBe(result.endedAt.getTime());

    // The recording is a fixture (contract §2) without secrets, and replays to the same outcome.
    const recorded = await readFile(join(dir, "recorded.ndjson"), "utf8");
    expect(recorded.trim().split("\n")).toHaveLength(6);
    for (const u of page.results) expect(recorded).not.toContain(u.login.password);
    const replayConfig = isolatedConfig("api_replay");
    try {
      expect(await replayFile(join(dir, "recorded.ndjson"), replayConfig)).toMatchObject({
        sent: 5,
        rejected: 1,
      });
    } finally {
      await cleanupIsolated(replayConfig);
    }
  });

  it("records a failed run with the error when the API stays down", async () => {
    server.script(Array.from({ length: 4 }, () => ({ kind: "status", status: 503 }) as const));
    const result = await runApiOnce(config, { pipeline, runs, fetch: fast });
    expect(result).toMatchObject({ status: "failed", fetched: 0, sent: 0, rejected: 0, failed: 0 });
    expect(result.error).toMatch(/HTTP 503 \(after 4 attempts\)/);
    const stored = (await runs.list(Math.floor(result.startedAt.getTime() / DAY_MS))).find(
      (r) => r.runId === result.runId,
    );
    expect(stored).toMatchObject({ status: "failed", error: result.error });
  });

  it("fails a run whose page is never whole JSON with where it broke, never the page's secrets", async () => {
    const body = api("page-good.json");
    const page = JSON.parse(body) as { results: { login: Record<string, string> }[] };
    const secrets = page.results.flatMap((u) =>
      ["password", "salt", "md5", "sha1", "sha256"].map((k) => u.login[k]!),
    );
    // A bare password: JSON.parse's own message ("Unexpected token 'd', …") quotes the text around it.
    const first = page.results[0]!.login.password!;
    const broken = body.replace(`"password": "${first}"`, `"password": ${first}`);
    server.script(Array.from({ length: 4 }, () => ({ kind: "page", body: broken }) as const));
    const result = await runApiOnce(config, { pipeline, runs, fetch: fast });
    expect(result).toMatchObject({ status: "failed", fetched: 0 });
    expect(result.error).toMatch(
      /: body is not JSON: unexpected character where a value should be at line \d+, column \d+ \(byte offset \d+\) \(truncated\?\) \(after 4 attempts\)$/,
    );
    const stored = (await runs.list(Math.floor(result.startedAt.getTime() / DAY_MS))).find(
      (r) => r.runId === result.runId,
    );
    expect(stored).toMatchObject({ status: "failed", error: result.error });
    expect(secrets.filter((s) => JSON.stringify(stored).includes(s))).toEqual([]);
  });

  it("lists runs newest first", async () => {
    server.script([]);
    const a = await runApiOnce(config, { pipeline, runs, fetch: fast });
    const b = await runApiOnce(config, { pipeline, runs, fetch: fast });
    const listed = await runs.list(Math.floor(b.startedAt.getTime() / DAY_MS));
    const ids = listed.map((r) => r.runId);
    expect(ids.indexOf(b.runId)).toBeLessThan(ids.indexOf(a.runId));
    expect(listed.find((r) => r.runId === b.runId)).toMatchObject({
      status: "success",
      fetched: 10,
      sent: 10,
    });
  });

  it("runs on a schedule until stopped, a failed run not stopping it", async () => {
    server.script([{ kind: "status", status: 404 }]);
    const stop = new AbortController();
    const seen: ApiRunResult[] = [];
    const results = await runApiSchedule(
      { ...config, PRODUCER_INTERVAL_MS: 50 },
      {
        pipeline,
        runs,
        signal: stop.signal,
        fetch: fast,
        onRun: (r) => {
          seen.push(r);
          if (seen.length === 3) stop.abort();
        },
      },
    );
    expect(results).toEqual(seen);
    expect(results.map((r) => r.status)).toEqual(["failed", "success", "success"]);
    expect(results[0]?.error).toMatch(/HTTP 404/);
  });

  it("fails a run the API asks to pause beyond the cap, and holds the next run until the pause is over", async () => {
    server.script([{ kind: "status", status: 429, headers: { "retry-after": "2" } }]);
    const from = server.requestTimes.length;
    const stop = new AbortController();
    const results = await runApiSchedule(
      { ...config, PRODUCER_INTERVAL_MS: 50, RANDOMUSER_MAX_RETRY_AFTER_MS: 1_000 },
      {
        pipeline,
        runs,
        signal: stop.signal,
        fetch: fast,
        onRun: (r) => {
          if (r.status === "success") stop.abort();
        },
      },
    );
    expect(results.map((r) => r.status)).toEqual(["failed", "success"]);
    const [paused] = results;
    expect(paused?.error).toMatch(
      /HTTP 429 Too Many Requests asks to wait 2 s \(Retry-After\), longer than the 1 s/,
    );
    expect(paused?.retryAt).toBeInstanceOf(Date);
    const stored = (await runs.list(Math.floor(paused!.startedAt.getTime() / DAY_MS))).find(
      (r) => r.runId === paused?.runId,
    );
    expect(stored).toMatchObject({ status: "failed", error: paused?.error });
    // One request per run: the paused run did not retry, and the next one waited out the pause.
    const [first, second, ...more] = server.requestTimes.slice(from);
    expect(more).toEqual([]);
    expect(second!).toBeGreaterThanOrEqual(paused!.retryAt!.getTime() - 10);
    expect(second! - first!).toBeGreaterThanOrEqual(1_990);
  });

  it("keeps ingesting when the run history cannot be written, and says so", async () => {
    server.script([]);
    const closed = await RunsStore.connect(config);
    await closed.close();
    const result = await runApiOnce(config, { pipeline, runs: closed, fetch: fast });
    expect(result).toMatchObject({ status: "success", fetched: 10, sent: 10, recorded: false });
  });
});

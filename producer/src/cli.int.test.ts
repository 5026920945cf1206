import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Config } from "../../common/src/config.ts";
import { ensureTopics } from "../../common/src/kafka-topics.ts";
import { topicSize } from "../../processor/src/testing/harness.ts";
import { DAY_MS, RunsStore } from "./runs-store.ts";
import { createRegistryClient } from "./schema-registry.ts";
import { cleanupIsolated } from "./testing/cleanup.ts";
import { type FaultServer, startFaultServer } from "./testing/fault-server.ts";
import { isolatedConfig } from "./testing/test-config.ts";
import { readTopic } from "./testing/topic-reader.ts";

const root = new URL("../../", import.meta.url).pathname;

function run(script: "producer" | "replay", args: string[], config: Config) {
  const env = {
    ...process.env,
    ...Object.fromEntries(Object.entries(config).map(([k, v]) => [k, String(v)])),
  };
  const cmd = script === "replay" ? ["--source", "fixture", "--replay", ...args] : args;
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "producer/src/cli.ts", ...cmd], {
      cwd: root,
      env,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const configs: { config: Config; keyspace: boolean }[] = [];
const servers: FaultServer[] = [];
afterEach(async () => {
  for (const c of configs.splice(0)) await cleanupIsolated(c.config, { keyspace: c.keyspace });
  for (const s of servers.splice(0)) await s.close();
});

function config(label: string, extra: Record<string, string> = {}, keyspace = false) {
  const c = isolatedConfig(label, extra);
  configs.push({ config: c, keyspace });
  return c;
}

describe("the producer command", () => {
  it("replay exits 0 and prints sent, rejected and failed", async () => {
    const c = config("cli_replay");
    const r = await run("replay", ["fixtures/malformed.ndjson"], c);
    expect(r.stderr).not.toMatch(/producer:/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^replay: sent 5, rejected 11, failed 0, elapsed [\d.]+ s, \d+ events\/s$/m);
  });

  it("replay exits 1 and counts as failed a record Kafka refuses (larger than the topic's max.message.bytes)", async () => {
    // Every field within the mapping's bounds, the record over what this topic takes: Kafka alone refuses it.
    const c = config("cli_failed");
    await ensureTopics(c, [
      {
        topic: c.TOPIC_USERS,
        numPartitions: 1,
        configEntries: [{ name: "max.message.bytes", value: "1000" }],
      },
    ]);
    const [first, second] = (await readFile(join(root, "fixtures/happy.ndjson"), "utf8")).split("\n");
    const good = JSON.parse(first!) as { event_time: number };
    const huge = JSON.parse(second!) as {
      event_time: number;
      user: { name: { first: string; last: string }; location: { city: string; state: string } };
    };
    // Incompressible (lz4), so the batch stays large; a second later at 1x, so it is a batch of its own.
    const noise = () => randomBytes(750).toString("base64");
    Object.assign(huge.user.name, { first: noise(), last: noise() });
    Object.assign(huge.user.location, { city: noise(), state: noise() });
    huge.event_time = good.event_time + 1_000;
    const file = join(await mkdtemp(join(tmpdir(), "cli-failed-")), "huge.ndjson");
    await writeFile(file, `${first}\n${JSON.stringify(huge)}\n`);
    const r = await run("replay", [file, "--quiet", "--speed", "1x"], c);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^replay: sent 1, rejected 0, failed 1,/m);
    expect(`${r.stdout}${r.stderr}`).toMatch(/too large/i);
  });

  it("records every source's runs in ingestion_runs: parameters, counts, outcome, the first errors", async () => {
    const c = config("cli_runs", {}, true);
    expect((await run("replay", ["fixtures/malformed.ndjson", "--quiet"], c)).code).toBe(0);
    expect(
      (await run("producer", ["--source", "synthetic", "--count", "40", "--rate", "0", "--seed", "7"], c))
        .code,
    ).toBe(0);
    const store = await RunsStore.connect(c);
    try {
      const [synthetic, fixture] = await store.list(Math.floor(Date.now() / DAY_MS));
      expect(fixture).toMatchObject({
        source: "fixture",
        status: "success",
        sent: 5,
        rejected: 11,
        failed: 0,
        parameters: { file: "malformed.ndjson", mode: "replay", speed: null },
      });
      expect(fixture?.errors.length).toBe(11);
      expect(fixture?.errors[0]).toMatch(/^line \d+ · (parse|map|schema): /);
      expect(fixture?.endedAt).not.toBeNull();
      expect(synthetic).toMatchObject({
        source: "synthetic",
        status: "success",
        fetched: 40,
        sent: 40,
        parameters: { count: 40, rate: 0, seed: 7 },
        errors: [],
      });
      // Every message names its run, so a run's dead letters can be found.
      const dlq = await readTopic(c, c.TOPIC_DLQ, 11);
      expect(new Set(dlq.map((m) => m.headers.run_id))).toEqual(new Set([fixture?.runId]));
    } finally {
      await store.close();
    }
  });

  it("refuses an incompatible v3 at registration: exit 2 with the registry's reasons, nothing sent, the run failed", async () => {
    const c = config("cli_v3", {}, true);
    const dir = await mkdtemp(join(tmpdir(), "v3-"));
    const v2 = JSON.parse(await readFile(join(root, "common/schema/user-v2.avsc"), "utf8")) as {
      fields: { name: string; type: unknown }[];
    };
    // A new required field without a default, and a type change: neither reads the records already written.
    const v3 = {
      ...v2,
      fields: [
        ...v2.fields.map((f) => (f.name === "age" ? { ...f, type: "string" } : f)),
        { name: "loyalty_tier", type: "string" },
      ],
    };
    const file = join(dir, "user-v3.avsc");
    await writeFile(file, JSON.stringify(v3));
    const before = await run("replay", ["fixtures/happy.ndjson", "--schema-version", "2", "--quiet"], c);
    expect(before.code).toBe(0);

    const r = await run(
      "producer",
      ["--source", "synthetic", "--count", "50", "--rate", "0", "--schema-file", file, "--quiet"],
      c,
    );
    expect(r.code).toBe(2);
    const subject = `${c.TOPIC_USERS}-value`;
    expect(r.stderr).toContain(
      `producer: schema registry ${c.SCHEMA_REGISTRY_URL}: user schema file user-v3.avsc is not BACKWARD ` +
        `compatible with the schemas already under ${subject} (compatibility BACKWARD), so the registry ` +
        "refused it (HTTP 409); incompatible: ",
    );
    expect(r.stderr).toContain("field age: reader type: STRING not compatible with writer type: INT");
    expect(r.stderr).toContain("field loyalty_tier");
    expect(r.stderr).toContain("is new and has no default");
    expect(r.stdout).not.toMatch(/synthetic: sent/);

    // Nothing was sent under it, and what was there is still there, under the versions there were.
    expect(await topicSize(c, c.TOPIC_USERS)).toBe(200);
    const users = await readTopic(c, c.TOPIC_USERS, 200);
    expect(new Set(users.map((m) => m.value.readUInt32BE(1))).size).toBe(1);
    const registry = createRegistryClient(c);
    expect(await registry.getAllVersions(subject)).toEqual([1]);
    const store = await RunsStore.connect(c);
    try {
      const [refused] = await store.list(Math.floor(Date.now() / DAY_MS));
      expect(refused).toMatchObject({
        source: "synthetic",
        status: "failed",
        sent: 0,
        parameters: { count: 50, schemaFile: "user-v3.avsc" },
      });
      expect(refused?.error).toContain("not BACKWARD compatible");
    } finally {
      await store.close();
    }
  });

  it("refuses bad arguments with a usage message and exit 2", async () => {
    const c = config("cli_usage");
    for (const args of [
      ["--source", "nope"],
      ["--source", "fixture", "a", "b"],
      ["--source", "fixture", "x", "--speed", "fast"],
      ["--source", "synthetic", "--schema-version", "2", "--schema-file", "x.avsc"],
    ]) {
      const r = await run("producer", args, c);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/usage:/);
    }
  });

  it("fails clearly on a missing fixture", async () => {
    const r = await run("replay", ["fixtures/does-not-exist.ndjson"], config("cli_missing"));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/ENOENT|no such file/);
  });

  it("synthetic --count N sends N events", async () => {
    const c = config("cli_synth");
    const r = await run("producer", ["--source", "synthetic", "--count", "300", "--rate", "0"], c);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^synthetic: sent 300, rejected 0, failed 0/m);
    const messages = await readTopic(c, c.TOPIC_USERS, 300);
    expect(messages).toHaveLength(300);
    expect(messages.every((m) => m.headers.source === "synthetic")).toBe(true);
  });

  it("fixture --speed keeps the recorded spacing, scaled", async () => {
    const c = config("cli_speed");
    const r = await run("producer", ["--source", "fixture", "fixtures/quirks.ndjson", "--speed", "10x"], c);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^fixture: sent 33, rejected 0, failed 0/m);
  });

  it("api --once --record runs once, records the page and stores the run", async () => {
    const server = await startFaultServer({
      kind: "page",
      body: await readFile(new URL("../../fixtures/api/page-good.json", import.meta.url), "utf8"),
    });
    servers.push(server);
    const c = config("cli_api", { RANDOMUSER_URL: server.url, RANDOMUSER_RESULTS: "10" }, true);
    const file = join(await mkdtemp(join(tmpdir(), "cli-record-")), "rec.ndjson");
    const r = await run("producer", ["--source", "api", "--once", "--record", file], c);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^api run [0-9a-f-]+: success, fetched 10, sent 10, rejected 0, failed 0$/m);
    expect(r.stdout).toMatch(/^api: sent 10, rejected 0, failed 0, elapsed [\d.]+ s, \d+ events\/s$/m);
    expect((await readFile(file, "utf8")).trim().split("\n")).toHaveLength(10);
  });
});

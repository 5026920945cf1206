import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Client } from "cassandra-driver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Config } from "../../common/src/config.ts";
import { parseDeadLetter } from "../../common/src/contracts/dead-letter.ts";
import type { ProcessorStatus } from "../../common/src/contracts/processor-status.ts";
import { userSchema } from "../../common/src/user-schema.ts";
import { hostileFixture, writeHostileFixture } from "../../fixtures/hostile.ts";
import type { RefEvent } from "../../processor/src/core/reference.ts";
import {
  type ChildProcessor,
  cassandraClient,
  configEnv,
  dropAll,
  readTopic,
  reference,
  spawnProcessor,
  uniqueConfig,
  waitForFinal,
  waitForUsers,
} from "../../processor/src/testing/harness.ts";
import { mapUser } from "../../producer/src/user-mapping.ts";

const root = new URL("../../", import.meta.url).pathname;

/** `bun run replay FILE --speed 10x`, as a user types it, against this test's topics and keyspace. */
function replayCli(file: string, config: Config) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "producer/src/cli.ts", "--source", "fixture", "--replay", file, "--speed", "10x"],
      { cwd: root, env: { ...process.env, ...configEnv(config), LOG_LEVEL: "info" } },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** The secrets found in `text` (none, or the test fails naming them). */
const leaked = (secrets: readonly string[], text: string) => secrets.filter((s) => text.includes(s));

// Issue #11's "done when": the hostile fixture (fixtures/hostile.ts: 79 kinds of bad, quirky and poison lines
// among good ones) replayed through the real producer command into the real Kafka, registry and Cassandra,
// with the processor running as its own process.
describe("a hostile fixture through the whole pipeline", () => {
  const dir = mkdtempSync(join(tmpdir(), "hostile-e2e-"));
  const file = join(dir, "hostile.ndjson");
  const nowMs = Date.now();
  const fixture = hostileFixture({ nowMs, startMs: nowMs - 7 * 86_400_000 });
  const sent = fixture.lines.filter((l) => l.expect === "sent");
  const rejected = fixture.lines.filter((l) => l.expect === "rejected");
  let config: Config;
  let client: Client;
  let processor: ChildProcessor;

  beforeAll(async () => {
    writeHostileFixture(file, fixture);
    config = uniqueConfig("hostile", { TOPIC_PARTITIONS: "3" });
    client = cassandraClient(config);
    await client.connect();
    processor = spawnProcessor(config);
    await processor.started;
  });

  afterAll(async () => {
    if (processor?.child.exitCode === null && processor.child.signalCode === null)
      processor.child.kill("SIGKILL");
    await dropAll(config, client);
    await client.shutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it("sends the good lines, dead-letters the rest with position-only reasons, leaks no secret, ends exact", async () => {
    const r = await replayCli(file, config);
    expect(r.stderr).not.toMatch(/producer:/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(`^replay: sent ${sent.length}, rejected ${rejected.length}, failed 0, elapsed`, "m"),
    );

    // Kafka: exactly the good lines on the users topic, exactly the bad ones on the dead-letter topic.
    const users = await readTopic(config, config.TOPIC_USERS, sent.length + 1, 15_000);
    expect(users).toHaveLength(sent.length);
    const dlq = await readTopic(config, config.TOPIC_DLQ, rejected.length + 1, 15_000);
    expect(dlq).toHaveLength(rejected.length);
    const lineOf = new Map(fixture.lines.map((l, i) => [l, i + 1]));
    const letters = dlq.map((m) => ({ m, letter: parseDeadLetter(m.value) }));
    letters.sort((a, b) => (a.letter.line ?? 0) - (b.letter.line ?? 0));
    expect(letters.map((l) => l.letter.line)).toEqual(rejected.map((l) => lineOf.get(l)));
    rejected.forEach((l, i) => {
      const letter = letters[i]!.letter;
      if (l.expect !== "rejected") return;
      expect({ kind: l.kind, stage: letter.stage }).toEqual({ kind: l.kind, stage: l.stage });
      if (typeof l.reason === "string") expect(letter.reason, l.kind).toBe(l.reason);
      else expect(letter.reason, l.kind).toMatch(l.reason);
    });
    for (const { m } of letters) {
      expect(m.value.length).toBeLessThan(600_000);
      expect(
        leaked(fixture.secrets, `${m.key}${m.value.toString("utf8")}${JSON.stringify(m.headers)}`),
      ).toEqual([]);
    }
    const quotes = letters.find((l) => l.letter.reason.includes("[payload truncated"));
    expect(quotes?.m.headers).toMatchObject({ payload_bytes: "700000", payload_truncated: "true" });
    for (const m of users) expect(leaked(fixture.secrets, m.value.toString("utf8"))).toEqual([]);

    // The processor aggregated the good events exactly, and stays up.
    const type = userSchema(1).type;
    const events: RefEvent[] = sent.map((l) => {
      if (l.expect !== "sent") throw new Error("unreachable");
      const mapped = mapUser(l.user, l.eventTime, type);
      if (!mapped.ok) throw new Error(`${l.kind}: ${mapped.reason}`);
      return { partition: 0, eventTime: l.eventTime, fields: { ...mapped.record } };
    });
    const expected = reference(events, config);
    expect(await waitForFinal(client, config, expected)).toEqual(expected);
    expect(await waitForUsers(client, config, sent.length)).toBe(sent.length);
    const port = await processor.started;
    const status = (await (await fetch(`http://127.0.0.1:${port}/status`)).json()) as ProcessorStatus;
    expect(status).toMatchObject({ processed: sent.length, late: 0, deadLettered: 0, failure: null });
    expect(processor.child.exitCode).toBeNull();

    // No secret in the users table, the run history, or any process's logs.
    const ks = config.CASSANDRA_KEYSPACE;
    const rows = await client.execute(`SELECT * FROM ${ks}.users`, [], { fetchSize: 10_000 });
    expect(rows.rows).toHaveLength(sent.length);
    expect(leaked(fixture.secrets, JSON.stringify(rows.rows))).toEqual([]);
    const runs = await client.execute(`SELECT * FROM ${ks}.ingestion_runs`);
    const run = runs.rows.find((row) => row.get("source") === "fixture");
    expect(run?.get("status")).toBe("success");
    expect([Number(run?.get("sent")), Number(run?.get("rejected")), Number(run?.get("failed"))]).toEqual([
      sent.length,
      rejected.length,
      0,
    ]);
    expect(leaked(fixture.secrets, JSON.stringify(runs.rows))).toEqual([]);
    expect(leaked(fixture.secrets, `${r.stdout}${r.stderr}`)).toEqual([]);
    expect(r.stdout).toMatch(/rejected: /);

    processor.child.kill("SIGTERM");
    expect(await processor.exited).toBe(0);
    expect(leaked(fixture.secrets, processor.lines.join("\n"))).toEqual([]);
  });
});

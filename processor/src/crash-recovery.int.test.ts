import { describe, expect, it } from "vitest";
import type { ProcessorStatus } from "../../common/src/contracts/processor-status.ts";
import { replayFile } from "../../producer/src/replay.ts";
import { finalRows, hoursOf, readMerged, spawnProcessor, waitFor, waitForUsers } from "./testing/harness.ts";
import { useExactRun } from "./testing/test-bed.ts";

async function statusOf(port: number): Promise<ProcessorStatus | null> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/status`);
    return (await res.json()) as ProcessorStatus;
  } catch {
    return null;
  }
}

// (b) The processor runs as its own process and is killed with SIGKILL three times at random points while
// the fixture is being replayed and processed; each restart resumes from the last checkpoint. The final
// aggregates still equal the reference, and a SIGTERM then stops it cleanly (exit code 0).
describe("processor: kill -9 during the replay", () => {
  const run = useExactRun("crash", {
    partitions: 3,
    count: 120_000,
    seed: 11,
    startMs: Date.parse("2026-02-01T00:00:00Z"),
  });

  it("resumes from checkpoints to the exact result", async () => {
    const { config, client, file, events, expected, children } = run;
    const replay = replayFile(file, config);
    // Kill points: random fractions of the input, increasing, all strictly inside the run.
    const targets = [Math.random(), Math.random(), Math.random()]
      .map((f) => Math.floor((0.1 + 0.75 * f) * events.length))
      .sort((a, b) => a - b);
    const killedAt: number[] = [];
    for (const target of targets) {
      const c = spawnProcessor(config, { PROCESSOR_CHECKPOINT_INTERVAL_MS: "500" });
      children.push(c);
      const port = await c.started;
      const reached = await waitFor(
        `progress ${target}`,
        () => statusOf(port),
        (s) => s !== null && s.partitions.reduce((a, p) => a + p.nextOffset, 0) >= target,
        120_000,
        50,
      );
      c.child.kill("SIGKILL");
      await c.exited;
      killedAt.push(reached!.partitions.reduce((a, p) => a + p.nextOffset, 0));
    }
    expect((await replay).sent).toBe(events.length);
    expect(killedAt.every((k) => k < events.length)).toBe(true);

    const last = spawnProcessor(config);
    children.push(last);
    await last.started;
    const rows = await waitFor(
      "all windows final",
      () => readMerged(client, config, hoursOf(expected)),
      (rows) => finalRows(rows) !== null && rows.length >= expected.length,
      240_000,
    );
    expect(finalRows(rows)).toEqual(expected);
    expect(await waitForUsers(client, config, events.length)).toBe(events.length);

    last.child.kill("SIGTERM");
    expect(await last.exited).toBe(0);
    const cps = await client.execute(
      `SELECT next_offset FROM ${config.CASSANDRA_KEYSPACE}.processor_checkpoints WHERE topic = ?`,
      [config.TOPIC_USERS],
      { prepare: true },
    );
    expect(cps.rows.reduce((a, r) => a + Number(r.get("next_offset")), 0)).toBe(events.length);
  });
});

import { describe, expect, it } from "vitest";
import { retryAtStart } from "./retry-at-start.ts";

function recorder() {
  const lines: { level: string; obj: object; msg: string }[] = [];
  return {
    lines,
    log: {
      warn: (obj: object, msg: string) => lines.push({ level: "warn", obj, msg }),
      info: (obj: object, msg: string) => lines.push({ level: "info", obj, msg }),
    } as never,
  };
}

describe("retryAtStart", () => {
  it("tries again until the dependency answers, saying so each time", async () => {
    const r = recorder();
    let calls = 0;
    const out = await retryAtStart(
      "Cassandra at 127.0.0.1:9042",
      async () => {
        if (++calls < 3) throw new Error("connect ECONNREFUSED");
        return "client";
      },
      { timeoutMs: 5_000, intervalMs: 10, log: r.log },
    );
    expect(out).toBe("client");
    expect(r.lines.map((l) => `${l.level} ${l.msg}`)).toEqual([
      "warn Cassandra at 127.0.0.1:9042 not reachable yet; retrying",
      "warn Cassandra at 127.0.0.1:9042 not reachable yet; retrying",
      "info Cassandra at 127.0.0.1:9042 reachable",
    ]);
    expect(r.lines[0]!.obj).toMatchObject({ attempt: 1, err: "connect ECONNREFUSED", retryInMs: 10 });
  });

  it("gives up after the bound with what, how long, how often and the last reason", async () => {
    const r = recorder();
    let t = 0;
    const failing = retryAtStart(
      "Cassandra at 127.0.0.1:1",
      async () => {
        t += 1_000;
        throw new Error("connect ECONNREFUSED 127.0.0.1:1");
      },
      { timeoutMs: 10_000, intervalMs: 0, log: r.log, now: () => t },
    );
    await expect(failing).rejects.toThrow(
      "Cassandra at 127.0.0.1:1 not reachable after 10 s (10 attempts): connect ECONNREFUSED 127.0.0.1:1",
    );
    expect(r.lines).toHaveLength(9);
  });
});

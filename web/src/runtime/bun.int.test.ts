import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { Client } from "cassandra-driver";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../common/src/config.ts";

// `bun web/src/runtime/bun.ts` against the real Cassandra: the dashboard and API without Kafka.
const cfg = loadConfig();
const keyspace = `web_bun_${randomBytes(4).toString("hex")}`;
let child: ChildProcess | null = null;

afterAll(async () => {
  if (child && child.exitCode === null) {
    child.kill("SIGKILL");
    await once(child, "exit");
  }
  const c = new Client({
    contactPoints: [cfg.CASSANDRA_CONTACT_POINT],
    localDataCenter: cfg.CASSANDRA_DC,
    // A shared, busy single node answers DDL slowly; wait rather than fail.
    socketOptions: { connectTimeout: 15_000, readTimeout: 30_000 },
  });
  await c.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
  await c.shutdown();
});

describe("the Bun entry", () => {
  it("serves the dashboard, history and a Kafka-less Pipeline page from Cassandra, and stops on SIGTERM", async () => {
    const proc = spawn("bun", ["web/src/runtime/bun.ts"], {
      env: { ...process.env, WEB_PORT: "0", CASSANDRA_KEYSPACE: keyspace, LOG_LEVEL: "warn" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child = proc;
    let out = "";
    proc.stderr?.on("data", (d: Buffer) => {
      out += d.toString();
    });
    const url = await new Promise<string>((resolve, reject) => {
      proc.stdout?.on("data", (d: Buffer) => {
        out += d.toString();
        const m = /dashboard: (http:\/\/\S+)\//.exec(out);
        if (m?.[1]) resolve(m[1]);
      });
      proc.on("exit", (code) => reject(new Error(`the Bun entry exited with ${code}: ${out}`)));
    });

    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const agg = await fetch(`${url}/api/aggregates?group=nat&from=0&to=3600000`);
    expect(await agg.json()).toEqual({ windows: [] });
    expect((await fetch(`${url}/api/users/nobody`)).status).toBe(404);
    expect(
      (await fetch(`${url}/history?group=all&from=2026-01-01T00:00:00Z&to=2026-01-01T01:00:00Z`)).status,
    ).toBe(200);
    const home = await fetch(`${url}/`);
    expect(home.status).toBe(200);
    expect(await home.text()).toContain('id="chart-all"');
    const pipeline = await (await fetch(`${url}/pipeline`)).text();
    expect(pipeline).toContain("not read under Bun");
    expect(await (await fetch(`${url}/metrics`)).text()).toContain("web_http_request_duration_seconds");

    proc.kill("SIGTERM");
    const [code] = (await once(proc, "exit")) as [number | null];
    expect(code, out).toBe(0);
  });
});

import { spawn } from "node:child_process";
import { createServer, type Server } from "node:net";
import { describe, expect, it } from "vitest";
import { endpoints, UnreachableError, unreachableLine, waitForServices } from "./first-contact.ts";

// Network checks here only ever use loopback: a port held by a server of the test, or one it closed.
const listen = (port = 0): Promise<Server> =>
  new Promise((resolve) => {
    const s = createServer((c) => c.destroy()).listen(port, "127.0.0.1", () => resolve(s));
  });
const portOf = (s: Server) => (s.address() as { port: number }).port;
const close = (s: Server) => new Promise<void>((r) => s.close(() => r()));

async function closedPort(): Promise<number> {
  const s = await listen();
  const port = portOf(s);
  await close(s);
  return port;
}

const config = (kafka: string, registry: string, cassandra: string) =>
  endpoints({ KAFKA_BOOTSTRAP: kafka, SCHEMA_REGISTRY_URL: registry, CASSANDRA_CONTACT_POINT: cassandra });

describe("endpoints", () => {
  it("reads every address a setting names, with each service's default port", () => {
    const e = config("127.0.0.1:9092,127.0.0.2", "http://127.0.0.1/apis/ccompat/v7", "[::1]:9043,127.0.0.3");
    expect(e.kafka.addresses).toEqual([
      { host: "127.0.0.1", port: 9092 },
      { host: "127.0.0.2", port: 9092 },
    ]);
    expect(e.registry.addresses).toEqual([{ host: "127.0.0.1", port: 80 }]);
    expect(e.cassandra.addresses).toEqual([
      { host: "::1", port: 9043 },
      { host: "127.0.0.3", port: 9042 },
    ]);
  });
});

describe("unreachableLine", () => {
  it("names the service, the address, the setting and `bun run stack up` for a local address", () => {
    const e = config("127.0.0.1:9092", "http://127.0.0.1:8081/apis/ccompat/v7", "127.0.0.1:9042");
    expect(unreachableLine(e.cassandra)).toBe(
      "Cassandra is not reachable at 127.0.0.1:9042 (CASSANDRA_CONTACT_POINT): run `bun run stack up` to start the local stack, or set CASSANDRA_CONTACT_POINT in .env to where yours runs.",
    );
    expect(unreachableLine(e.registry)).toContain(
      "The schema registry is not reachable at http://127.0.0.1:8081/apis/ccompat/v7 (SCHEMA_REGISTRY_URL)",
    );
    expect(unreachableLine(e.kafka)).toContain("Kafka is not reachable at 127.0.0.1:9092 (KAFKA_BOOTSTRAP)");
  });

  it("does not suggest the local stack for a remote address", () => {
    const e = config("kafka.internal:9092", "https://registry.internal/x", "cassandra.internal");
    expect(unreachableLine(e.kafka)).toBe(
      "Kafka is not reachable at kafka.internal:9092 (KAFKA_BOOTSTRAP): check that it runs there, or set KAFKA_BOOTSTRAP (environment or .env) to where it does.",
    );
  });
});

describe("waitForServices", () => {
  it("returns silently when every service accepts connections", async () => {
    const s = await listen();
    const said: string[] = [];
    const e = config(`127.0.0.1:${portOf(s)}`, `http://127.0.0.1:${portOf(s)}/`, `127.0.0.1:${portOf(s)}`);
    await waitForServices([e.kafka, e.registry, e.cassandra], { timeoutMs: 0, say: (l) => said.push(l) });
    expect(said).toEqual([]);
    await close(s);
  });

  it("with no time to wait, throws the lines of the services that do not answer", async () => {
    const s = await listen();
    const down = await closedPort();
    const e = config(`127.0.0.1:${down}`, `http://127.0.0.1:${portOf(s)}/`, `127.0.0.1:${down}`);
    const err = await waitForServices([e.kafka, e.registry, e.cassandra], { timeoutMs: 0 }).catch((x) => x);
    expect(err).toBeInstanceOf(UnreachableError);
    expect((err as UnreachableError).endpoints.map((x) => x.service)).toEqual(["kafka", "cassandra"]);
    expect((err as Error).message.split("\n")).toEqual([
      unreachableLine(e.kafka),
      unreachableLine(e.cassandra),
    ]);
    await close(s);
  });

  it("says what is missing once, waits, and says when it answers", async () => {
    const port = await closedPort();
    const e = config(`127.0.0.1:${port}`, "http://127.0.0.1:1/", "127.0.0.1:1");
    const said: string[] = [];
    let server: Server | undefined;
    setTimeout(async () => {
      server = await listen(port);
    }, 300);
    await waitForServices([e.kafka], { timeoutMs: 10_000, intervalMs: 100, say: (l) => said.push(l) });
    expect(said[0]).toBe(unreachableLine(e.kafka));
    expect(said.at(-1)).toBe(`Kafka answers at 127.0.0.1:${port} now.`);
    if (server) await close(server);
  });
});

describe("a command started with the stack down", () => {
  const run = (args: string[], env: Record<string, string>) =>
    new Promise<{ code: number | null; stderr: string; stdout: string }>((resolve) => {
      const child = spawn("bun", ["run", "--silent", ...args], { env: { ...process.env, ...env } });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => (stdout += d));
      child.stderr.on("data", (d) => (stderr += d));
      child.on("close", (code) => resolve({ code, stdout, stderr }));
    });

  it.each([
    ["processor", { PROCESSOR_START_TIMEOUT_MS: "0" }, ["Kafka", "The schema registry", "Cassandra"]],
    ["web", { WEB_START_TIMEOUT_MS: "0", WEB_PORT: "0" }, ["Kafka", "Cassandra"]],
  ] as const)(
    "`bun run %s` says in one human line each which service is down, and exits 1",
    async (cmd, extra, names) => {
      const kafka = await closedPort();
      const registry = await closedPort();
      const cassandra = await closedPort();
      const r = await run([cmd], {
        ...extra,
        KAFKA_BOOTSTRAP: `127.0.0.1:${kafka}`,
        SCHEMA_REGISTRY_URL: `http://127.0.0.1:${registry}/apis/ccompat/v7`,
        CASSANDRA_CONTACT_POINT: `127.0.0.1:${cassandra}`,
      });
      expect(r.code, r.stderr).toBe(1);
      const lines = r.stderr.trim().split("\n");
      expect(lines).toContain(`${cmd}: not started:`);
      for (const name of names) {
        const line = lines.find((l) => l.startsWith(`${name} is not reachable at `));
        expect(line, r.stderr).toBeDefined();
        expect(line).toContain("`bun run stack up`");
      }
      // No driver stack trace and no JSON log line: a person reads this.
      expect(`${r.stdout}${r.stderr}`).not.toMatch(/^\s+at |^\{/m);
    },
  );
});

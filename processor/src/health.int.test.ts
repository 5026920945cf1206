import type { KafkaJS } from "@confluentinc/kafka-javascript";
import type { Client } from "cassandra-driver";
import pino from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Config } from "../../common/src/config.ts";
import { closedPort, startSilentPeer } from "../../common/src/testing/silent-peer.ts";
import { createRng } from "../../producer/src/rng.ts";
import type { registerUserSchema } from "../../producer/src/schema-registry.ts";
import type { RefEvent } from "./core/reference.ts";
import { type ProcessorHandle, startProcessor } from "./start-processor.ts";
import {
  dropAll,
  openTestBed,
  reference,
  spawnProcessor,
  syntheticMessage,
  testProducer,
  uniqueConfig,
  waitFor,
  waitForFinal,
} from "./testing/harness.ts";
import { startTcpProxy, type TcpProxy } from "./testing/tcp-proxy.ts";

// /healthz answers 503 whenever the processor cannot make progress (docs/exactly-once.md, "Health"): the
// registry unreachable or hung, Cassandra unreachable, past PROCESSOR_UNHEALTHY_AFTER_MS (2 s here); 200
// again once they answer, and nothing is lost meanwhile. At start, Cassandra is waited for, bounded.
// Every outage here is a loopback relay cut or a port that never answers: the shared services stay up.
const UNHEALTHY_AFTER_MS = 2_000;

async function health(port: number): Promise<{ status: number; body: { ok: boolean; reason?: string } }> {
  const res = await fetch(`http://127.0.0.1:${port}/healthz`);
  return { status: res.status, body: (await res.json()) as { ok: boolean; reason?: string } };
}

const waitHealth = (p: ProcessorHandle, status: number, timeoutMs = 30_000) =>
  waitFor(
    `/healthz ${status}`,
    () => health(p.port),
    (h) => h.status === status,
    timeoutMs,
    200,
  );

/**
 * The reason of the first 503 matching `reason`. While the loop waits for a dependency it also stops
 * turning, so "processing loop stalled" may come first on a loaded machine; the answer must name the
 * dependency once its own bound has passed.
 */
async function waitUnhealthy(p: ProcessorHandle, reason: RegExp, timeoutMs = 30_000): Promise<string> {
  const seen = new Set<string>();
  const h = await waitFor(
    `/healthz 503 matching ${reason}`,
    async () => {
      const got = await health(p.port);
      seen.add(`${got.status} ${got.body.reason ?? ""}`.slice(0, 200));
      return got;
    },
    (got) => got.status === 503 && reason.test(got.body.reason ?? ""),
    timeoutMs,
    200,
  ).catch((err: Error) => {
    throw new Error(`${err.message}; seen: ${[...seen].join(" | ")}`);
  });
  return h.body.reason ?? "";
}

/** A logger whose lines a test can read. */
function capturedLog() {
  const lines: { level: number; msg: string; [k: string]: unknown }[] = [];
  const log = pino({ level: "info" }, { write: (s: string) => lines.push(JSON.parse(s)) });
  return { log, lines };
}

describe("processor health", () => {
  let config: Config;
  let client: Client;
  let schema: Awaited<ReturnType<typeof registerUserSchema>>;
  let producer: KafkaJS.Producer;
  const events: RefEvent[] = [];
  const rng = createRng(11);
  const base = Date.parse("2026-07-01T00:00:00Z");
  let processor: ProcessorHandle | null = null;
  const proxies: TcpProxy[] = [];
  let sent = 0;

  const send = async (count: number) => {
    const messages = [];
    for (let i = sent; i < sent + count; i++) {
      const { event, message } = syntheticMessage(rng, base + i * 300, schema);
      events.push(event);
      messages.push(message);
    }
    sent += count;
    await producer.send({ topic: config.TOPIC_USERS, messages });
  };

  const proxy = async (hostPort: string) => {
    const p = await startTcpProxy(hostPort);
    proxies.push(p);
    return p;
  };

  beforeAll(async () => {
    config = uniqueConfig("health", { TOPIC_PARTITIONS: "1", IDLE_TIMEOUT_MS: "1000", STORE_USERS: "false" });
    ({ client, schema } = await openTestBed(config));
    producer = await testProducer(config);
  });

  afterEach(async () => {
    await processor?.stop().catch(() => undefined);
    processor = null;
    for (const p of proxies.splice(0)) await p.close();
  });

  afterAll(async () => {
    await producer.disconnect();
    await dropAll(config, client);
    await client.shutdown();
  });

  it("waits for Cassandra at start, then answers 503 while Cassandra or the registry is unreachable, 200 once back, exact", async () => {
    const cassandra = await proxy(config.CASSANDRA_CONTACT_POINT);
    const registryUrl = new URL(config.SCHEMA_REGISTRY_URL);
    const registry = await proxy(registryUrl.host);
    registryUrl.host = registry.address;
    const proxied: Config = {
      ...config,
      CASSANDRA_CONTACT_POINT: cassandra.address,
      SCHEMA_REGISTRY_URL: registryUrl.toString().replace(/\/$/, ""),
      SCHEMA_REGISTRY_TIMEOUT_MS: 500,
    };
    const { log, lines } = capturedLog();
    const options = { PROCESSOR_UNHEALTHY_AFTER_MS: UNHEALTHY_AFTER_MS, PROCESSOR_START_TIMEOUT_MS: 60_000 };

    // Cassandra is not there yet when the processor starts: it says so and tries again.
    cassandra.cut();
    const starting = startProcessor(proxied, { log, options });
    await waitFor(
      "a line saying Cassandra is not reachable yet",
      async () =>
        lines.filter(
          (l) => l.msg === `Cassandra at ${proxied.CASSANDRA_CONTACT_POINT} not reachable yet; retrying`,
        ),
      (l) => l.length >= 2,
      30_000,
      100,
    );
    cassandra.restore();
    processor = await starting;
    expect(lines.some((l) => l.msg === `Cassandra at ${proxied.CASSANDRA_CONTACT_POINT} reachable`)).toBe(
      true,
    );
    expect(await health(processor.port)).toEqual({ status: 200, body: { ok: true } });

    // The registry is cut: the schema cannot be fetched, the loop waits, /healthz says why.
    registry.cut();
    await send(20);
    expect(await waitUnhealthy(processor, /registry/)).toMatch(
      /^schema registry unreachable for \d+ s: schema registry http:\/\/127\.0\.0\.1:\d+\/apis\/ccompat\/v7: schema id \d+: /,
    );
    registry.restore();
    await waitHealth(processor, 200);

    // Cassandra is cut while records keep coming: writes retry, /healthz says Cassandra is unreachable.
    cassandra.cut();
    await send(20);
    expect(await waitUnhealthy(processor, /Cassandra/)).toMatch(/^Cassandra unreachable for \d+ s: /);
    cassandra.restore();
    await waitHealth(processor, 200, 60_000);

    const expected = reference(events, config);
    expect(await waitForFinal(client, config, expected)).toEqual(expected);
    expect(processor.status().deadLettered).toBe(0);
  });

  it("answers 503 while the registry accepts connections and never answers, and goes on serving /status", async () => {
    const silent = await startSilentPeer();
    try {
      processor = await startProcessor(
        {
          ...config,
          SCHEMA_REGISTRY_URL: `${silent.url}/apis/ccompat/v7`,
          SCHEMA_REGISTRY_TIMEOUT_MS: 500,
        },
        { options: { PROCESSOR_UNHEALTHY_AFTER_MS: UNHEALTHY_AFTER_MS } },
      );
      // A new processor knows no schema yet: the next records need one.
      await send(5);
      expect(await waitUnhealthy(processor, /registry/)).toMatch(
        /^schema registry unreachable for \d+ s: .*timeout of 500ms exceeded/,
      );
      expect(silent.connections()).toBeGreaterThanOrEqual(2);
      const status = await fetch(`http://127.0.0.1:${processor.port}/status`);
      expect(status.status).toBe(200);
    } finally {
      await processor?.stop().catch(() => undefined);
      processor = null;
      await silent.close();
    }
  });

  it("exits 1 with a clear reason when Cassandra never comes within PROCESSOR_START_TIMEOUT_MS", async () => {
    const port = await closedPort();
    const child = spawnProcessor(
      { ...config, CASSANDRA_CONTACT_POINT: `127.0.0.1:${port}` },
      { PROCESSOR_START_TIMEOUT_MS: "4000" },
    );
    expect(await child.exited).toBe(1);
    const logged = child.lines.join("\n");
    expect(logged).toContain(`Cassandra at 127.0.0.1:${port} not reachable yet; retrying`);
    expect(logged).toContain("processor could not start");
    expect(logged).toMatch(
      new RegExp(`Cassandra at 127\\.0\\.0\\.1:${port} not reachable after \\d+ s \\(\\d+ attempts\\): `),
    );
  });
});

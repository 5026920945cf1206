import type { KafkaJS } from "@confluentinc/kafka-javascript";
import type { Client } from "cassandra-driver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Config } from "../../common/src/config.ts";
import { createAdmin } from "../../common/src/kafka-topics.ts";
import { createRng } from "../../producer/src/rng.ts";
import type { registerUserSchema } from "../../producer/src/schema-registry.ts";
import type { RefEvent } from "./core/reference.ts";
import { type ProcessorHandle, startProcessor } from "./start-processor.ts";
import {
  dropAll,
  openTestBed,
  reference,
  syntheticMessage,
  testProducer,
  uniqueConfig,
  waitFor,
  waitForFinal,
} from "./testing/harness.ts";
import { startTcpProxy, type TcpProxy } from "./testing/tcp-proxy.ts";

const HALF = 1_000;

// SIGTERM while Cassandra is unreachable from the processor (a relay in between is cut; the shared Cassandra
// stays up): the revocation gives up waiting for its checkpoint within its share of the shutdown bound, so
// the stop still leaves the group (the next owner takes over at once) and reports that the last checkpoint
// is missing. The next instance resumes from the previous checkpoint: exact.
describe("processor: graceful stop with Cassandra unreachable", () => {
  let config: Config;
  let client: Client;
  let proxy: TcpProxy;
  let producer: KafkaJS.Producer;
  let schema: Awaited<ReturnType<typeof registerUserSchema>>;
  const events: RefEvent[] = [];
  const rng = createRng(77);
  const base = Date.parse("2026-07-01T00:00:00Z");
  let a: ProcessorHandle | null = null;
  let b: ProcessorHandle | null = null;

  const send = async (from: number, count: number) => {
    const messages = [];
    for (let i = from; i < from + count; i++) {
      const { event, message } = syntheticMessage(rng, base + i * 20, schema);
      events.push(event);
      messages.push(message);
    }
    await producer.send({ topic: config.TOPIC_USERS, messages });
  };

  beforeAll(async () => {
    config = uniqueConfig("stop", { TOPIC_PARTITIONS: "2", IDLE_TIMEOUT_MS: "1000", STORE_USERS: "false" });
    proxy = await startTcpProxy(config.CASSANDRA_CONTACT_POINT);
    ({ client, schema } = await openTestBed(config));
    producer = await testProducer(config);
  });

  afterAll(async () => {
    await a?.stop().catch(() => undefined);
    await b?.stop().catch(() => undefined);
    await producer.disconnect();
    await proxy.close();
    await dropAll(config, client);
    await client.shutdown();
  });

  it("leaves the group within the bound, says the checkpoint is missing, and loses nothing", async () => {
    const proxied = { ...config, CASSANDRA_CONTACT_POINT: proxy.address };
    a = await startProcessor(proxied, {
      options: { PROCESSOR_SHUTDOWN_TIMEOUT_MS: 6_000, PROCESSOR_CHECKPOINT_INTERVAL_MS: 200 },
    });
    const first = a;
    await send(0, HALF);
    await waitFor(
      "a checkpoint of the first half",
      async () => first.status().partitions,
      (ps) => ps.reduce((n, p) => n + (p.checkpointedOffset ?? 0), 0) === HALF,
      60_000,
      100,
    );
    await send(HALF, HALF);
    await waitFor(
      "the second half processed",
      async () => first.status().processed,
      (n) => n === 2 * HALF,
      60_000,
      50,
    );

    proxy.cut();
    const stopped = await first.stop().then(
      () => null,
      (err: Error) => err,
    );
    a = null;
    // The revocation's own, shorter bound fired, not the outer one.
    expect(stopped?.message).toMatch(
      /stopped without the last checkpoint: revocation checkpoint took longer than 3000 ms/,
    );

    const admin = createAdmin(config);
    await admin.connect();
    try {
      const { groups } = await admin.describeGroups([config.CONSUMER_GROUP]);
      expect(groups[0]?.members ?? []).toEqual([]);
    } finally {
      await admin.disconnect();
    }

    b = await startProcessor(config);
    const expected = reference(events, config);
    expect(await waitForFinal(client, config, expected)).toEqual(expected);
    expect(b.status().late).toBe(0);
  });
});

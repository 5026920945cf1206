import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { RdKafka } from "@confluentinc/kafka-javascript";
import { loadConfig } from "../../common/src/config.ts";
import { createBatchConsumer } from "../../common/src/kafka-consumer.ts";
import { PROCESSOR_NODE_FLAGS } from "../../processor/src/node-flags.ts";
import { loadProcessorOptions } from "../../processor/src/processor-options.ts";
import { repoRoot } from "../../stack/paths.ts";

// The processor's ceiling: one full read of the topic by a bare librdkafka consumer that only counts. It
// runs as a process of its own with the processor's V8 flags, as the processor does: read inside the bench
// process (its heap grown by the other sections, V8's default young generation) it came out below the
// processor it is the ceiling of.

export interface BareRead {
  eventsPerSec: number;
  eventsPerCpuSecond: number;
}

/** Reads `expected` events of TOPIC_USERS in consume(batchSize) calls, in a child process; `env` names the topic and group. */
export async function bareRead(
  env: Record<string, string>,
  expected: number,
  batchSize: number,
  group: string,
): Promise<BareRead> {
  const { stdout } = await promisify(execFile)(
    "node",
    [
      ...PROCESSOR_NODE_FLAGS,
      "--import",
      "tsx",
      fileURLToPath(import.meta.url),
      String(expected),
      String(batchSize),
    ],
    { cwd: repoRoot, env: { ...process.env, ...env, CONSUMER_GROUP: group }, timeout: 330_000 },
  );
  return JSON.parse(stdout.trim().split("\n").at(-1) ?? "") as BareRead;
}

async function read(expected: number, batchSize: number): Promise<BareRead> {
  const config = loadConfig(process.env);
  const fetch = loadProcessorOptions(process.env);
  const consumer = createBatchConsumer(
    {
      "bootstrap.servers": config.KAFKA_BOOTSTRAP,
      "group.id": config.CONSUMER_GROUP,
      "enable.auto.commit": false,
      // As the processor's consumer: storing each message's offset costs librdkafka a lock a message.
      "enable.auto.offset.store": false,
      // The processor's own pre-fetch settings: with librdkafka's defaults the bare read is slower.
      "queued.max.messages.kbytes": fetch.PROCESSOR_FETCH_QUEUE_KB,
      "fetch.queue.backoff.ms": fetch.PROCESSOR_FETCH_QUEUE_BACKOFF_MS,
      "fetch.wait.max.ms": 50,
    },
    { "auto.offset.reset": "earliest" },
    { consumeTimeoutMs: 100 },
  );
  await new Promise<void>((res, rej) => consumer.connect({ timeout: 30_000 }, (e) => (e ? rej(e) : res())));
  consumer.subscribe([config.TOPIC_USERS]);
  let seen = 0;
  let first = 0;
  // This process's CPU time (librdkafka's threads included), as /proc counts it for the processor.
  let cpu0 = 0;
  const deadline = Date.now() + 300_000;
  while (seen < expected && Date.now() < deadline) {
    const batch = await new Promise<RdKafka.Message[]>((res, rej) =>
      consumer.consume(batchSize, (e, m) => (e ? rej(e) : res(m))),
    );
    if (batch.length && first === 0) {
      first = performance.now();
      cpu0 = cpuMicros();
    }
    seen += batch.length;
  }
  const elapsed = performance.now() - first;
  const cpuSeconds = (cpuMicros() - cpu0) / 1e6;
  await new Promise<void>((res) => consumer.disconnect(() => res()));
  if (seen < expected) throw new Error(`bare read: ${seen} of ${expected} events`);
  return { eventsPerSec: (seen / elapsed) * 1000, eventsPerCpuSecond: seen / cpuSeconds };
}

const cpuMicros = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [expected, batchSize] = process.argv.slice(2).map(Number);
  console.log(JSON.stringify(await read(expected!, batchSize!)));
}

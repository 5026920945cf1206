import { randomUUID } from "node:crypto";
import type { Config } from "../../common/src/config.ts";
import type { ProcessorStatus } from "../../common/src/contracts/processor-status.ts";
import { ensureTopics } from "../../common/src/kafka-topics.ts";
import { createLogger, type Logger } from "../../common/src/logger.ts";
import { retryAtStart } from "../../common/src/retry-at-start.ts";
import { withTimeout } from "../../common/src/timeouts.ts";
import { CassandraStore } from "./adapters/cassandra-store.ts";
import { KafkaSource } from "./adapters/kafka-source.ts";
import { registrySource } from "./adapters/schema-registry.ts";
import { SideProducer } from "./adapters/side-producer.ts";
import { type StatusServer, serveStatus } from "./adapters/status-server.ts";
import type { ProcessorMetrics } from "./metrics.ts";
import { Processor } from "./processor.ts";
import { loadProcessorOptions, type ProcessorOptions } from "./processor-options.ts";
import type { SchemaSource } from "./schema-cache.ts";

// The composition root: the processor (processor.ts) over its Kafka and Cassandra adapters, the status
// server beside it, and the order things start and stop in. Unit tests build the same Processor over
// ports in memory instead (testing/in-memory-driver.ts).

export interface StartOptions {
  /** Tuning; defaults from PROCESSOR_* environment variables. */
  options?: Partial<ProcessorOptions>;
  log?: Logger;
  schemaSource?: SchemaSource;
}

export interface ProcessorHandle {
  /** Graceful stop: drain, checkpoint, commit, leave the group. Rejects if it took longer than the bound. */
  stop(): Promise<void>;
  status(): ProcessorStatus;
  /** Port of /status and /metrics (useful with PROCESSOR_METRICS_PORT=0). */
  port: number;
  metrics: ProcessorMetrics;
  /** Settles when the processor stopped on its own after a fatal error. */
  failed: Promise<Error>;
}

/**
 * Starts a processor instance: migrates the schema, creates missing topics, joins the consumer group and
 * serves /status and /metrics. `stop()` is the graceful shutdown (bounded by PROCESSOR_SHUTDOWN_TIMEOUT_MS).
 */
export async function startProcessor(config: Config, start: StartOptions = {}): Promise<ProcessorHandle> {
  const opts = loadProcessorOptions(process.env, start.options);
  const log = start.log ?? createLogger("processor", config.LOG_LEVEL);
  const instance = opts.PROCESSOR_INSTANCE ?? `processor-${randomUUID().slice(0, 8)}`;
  const store = await retryAtStart(
    `Cassandra at ${config.CASSANDRA_CONTACT_POINT}`,
    () => CassandraStore.open(config, opts.PROCESSOR_WRITE_TIMEOUT_MS),
    { timeoutMs: opts.PROCESSOR_START_TIMEOUT_MS, log },
  );
  await ensureTopics(config, undefined, (c) => log.warn(c, "topic config reconciled with the settings"));
  // The producer's fatal refusals stop the processor, which is built with it.
  let onFatal = (_err: Error): void => undefined;
  const topics = new SideProducer(config, log, {
    clientId: `${instance}-out`,
    onFatal: (err) => onFatal(err),
  });
  const source = new KafkaSource(config, log, {
    clientId: instance,
    queuedMaxKbytes: opts.PROCESSOR_FETCH_QUEUE_KB,
    fetchQueueBackoffMs: opts.PROCESSOR_FETCH_QUEUE_BACKOFF_MS,
  });
  const schemas = start.schemaSource ?? registrySource(config);
  const processor = new Processor(config, opts, instance, { source, store, topics, schemas }, log);
  onFatal = (err) => processor.fail(err);
  let server: StatusServer | null = null;
  try {
    server = await serveStatus(config.PROCESSOR_METRICS_HOST, config.PROCESSOR_METRICS_PORT, {
      status: () => processor.status(),
      unhealthy: () => processor.unhealthy(),
      metrics: () => processor.metrics.registry.metrics(),
      contentType: processor.metrics.registry.contentType,
    });
    await processor.start();
  } catch (err) {
    await server?.close();
    await store.close();
    throw err;
  }
  log.info({ instance, port: server.port, group: config.CONSUMER_GROUP }, "processor started");
  let stopped: Promise<void> | null = null;
  const stop = async () => {
    try {
      const bound = opts.PROCESSOR_SHUTDOWN_TIMEOUT_MS;
      await withTimeout(processor.stop(), bound, `graceful stop took longer than ${bound} ms`);
    } catch (err) {
      processor.abort();
      throw err;
    } finally {
      await server?.close();
      await store.close().catch(() => undefined);
    }
    log.info({ instance }, "processor stopped");
  };
  return {
    stop: () => {
      stopped ??= stop();
      return stopped;
    },
    status: () => processor.status(),
    port: server.port,
    metrics: processor.metrics,
    failed: processor.failed,
  };
}

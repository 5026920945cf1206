import type { Config } from "../../common/src/config.ts";
import { ensureTopics } from "../../common/src/kafka-topics.ts";
import type { UserSchemaVersion } from "../../common/src/user-schema.ts";
import { Ingestor, type IngestorOptions } from "./ingestor.ts";
import {
  connectProducer,
  DEFAULT_TUNING,
  type EventProducer,
  type ProducerTuning,
} from "./kafka-producer.ts";
import { type RegisteredSchema, registerUserSchema, registerUserSchemaFile } from "./schema-registry.ts";
import type { IngestSource } from "./user-mapping.ts";

/** What every source shares: the topics exist, the schema is registered, the producer is connected. */
export interface Pipeline {
  config: Config;
  schema: RegisteredSchema;
  producer: EventProducer;
  ingestor(source: IngestSource, hooks?: Pick<IngestorOptions, "onReject" | "onFailure" | "runId">): Ingestor;
  close(): Promise<void>;
}

export interface PipelineOptions {
  schemaVersion?: UserSchemaVersion;
  /** A writer schema file of one's own instead of a project version (registered the same way). */
  schemaFile?: string;
  tuning?: Partial<ProducerTuning>;
}

export async function openPipeline(config: Config, opts: PipelineOptions = {}): Promise<Pipeline> {
  await ensureTopics(config);
  // Before the Kafka producer connects: a schema the registry refuses sends nothing.
  const schema = opts.schemaFile
    ? await registerUserSchemaFile(config, opts.schemaFile)
    : await registerUserSchema(config, opts.schemaVersion ?? 1);
  const tuning = { ...DEFAULT_TUNING, ...opts.tuning };
  const producer = await connectProducer(config, tuning);
  return {
    config,
    schema,
    producer,
    ingestor: (source, hooks = {}) =>
      new Ingestor({
        sink: producer,
        schema,
        usersTopic: config.TOPIC_USERS,
        dlqTopic: config.TOPIC_DLQ,
        source,
        maxInFlight: Math.floor(tuning.queueMessages / 2),
        eventTimeBounds: { maxFutureSkewMs: config.EVENT_TIME_MAX_FUTURE_SKEW_MS, now: Date.now },
        ...hooks,
      }),
    close: () => producer.close(),
  };
}

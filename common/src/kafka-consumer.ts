import { RdKafka } from "@confluentinc/kafka-javascript";

export interface BatchConsumerOptions {
  /** How long consume(n) waits for the first message of a batch. */
  consumeTimeoutMs: number;
}

/**
 * A native librdkafka consumer for consume(n) batches (no per-message promise machinery): the timeout only
 * waits for a batch's first message, the rest is what librdkafka already holds.
 */
export function createBatchConsumer(
  conf: RdKafka.ConsumerGlobalConfig,
  topicConf: RdKafka.ConsumerTopicConfig,
  o: BatchConsumerOptions,
): RdKafka.KafkaConsumer {
  const consumer = new RdKafka.KafkaConsumer(conf, topicConf);
  consumer.setDefaultConsumeTimeout(o.consumeTimeoutMs);
  // Untyped in the package's declarations.
  (
    consumer as unknown as { setDefaultIsTimeoutOnlyForFirstMessage(v: boolean): void }
  ).setDefaultIsTimeoutOnlyForFirstMessage(true);
  return consumer;
}

import { KafkaJS } from "@confluentinc/kafka-javascript";
import type { Config } from "../../../common/src/config.ts";

export interface ReadMessage {
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer;
  headers: Record<string, string>;
}

/**
 * Reads a topic from the beginning until `count` messages arrived (then waits `settleMs` more, so a test also
 * sees any message too many), or fails after `timeoutMs`.
 */
export async function readTopic(
  config: Config,
  topic: string,
  count: number,
  { timeoutMs = 60_000, settleMs = 1_000 } = {},
): Promise<ReadMessage[]> {
  const consumer = new KafkaJS.Kafka({
    kafkaJS: { brokers: [config.KAFKA_BOOTSTRAP], logLevel: KafkaJS.logLevel.ERROR },
  }).consumer({
    kafkaJS: { groupId: `reader_${topic}_${Date.now()}`, fromBeginning: true, autoCommit: false },
  });
  const messages: ReadMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic] });
    let reached: () => void = () => {};
    const enough = new Promise<void>((resolve) => (reached = resolve));
    if (count === 0) reached();
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) {
          if (v !== undefined) headers[k] = Array.isArray(v) ? String(v[0]) : String(v);
        }
        messages.push({
          partition,
          offset: message.offset,
          key: message.key ? message.key.toString("utf8") : null,
          value: message.value ?? Buffer.alloc(0),
          headers,
        });
        if (messages.length >= count) reached();
      },
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${topic}: ${messages.length} of ${count} messages after ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      await Promise.race([enough, timeout]);
    } finally {
      clearTimeout(timer);
    }
    await new Promise((r) => setTimeout(r, settleMs));
    return messages;
  } finally {
    await consumer.disconnect();
  }
}

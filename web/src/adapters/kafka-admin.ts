import { KafkaJS } from "@confluentinc/kafka-javascript";
import type { KafkaAdmin, TopicOffsets } from "../ports.ts";

/** Topic end offsets and consumer-group commits for the Pipeline page, over one admin connection. */
export class KafkaJsAdmin implements KafkaAdmin {
  private readonly admin: KafkaJS.Admin;
  private connected: Promise<void> | null = null;

  constructor(bootstrap: string) {
    this.admin = new KafkaJS.Kafka({
      "bootstrap.servers": bootstrap,
      "client.id": "rt-web-admin",
      log_level: 3,
    }).admin();
  }

  private ready(): Promise<void> {
    this.connected ??= this.admin.connect().catch((e: unknown) => {
      this.connected = null;
      throw e;
    });
    return this.connected;
  }

  async topicOffsets(topic: string): Promise<TopicOffsets> {
    await this.ready();
    try {
      const parts = await this.admin.fetchTopicOffsets(topic, {
        timeout: 5000,
        isolationLevel: KafkaJS.IsolationLevel.READ_COMMITTED,
      });
      return {
        topic,
        exists: true,
        partitions: parts
          .map((p) => ({ partition: p.partition, low: Number(p.low), high: Number(p.high) }))
          .sort((a, b) => a.partition - b.partition),
      };
    } catch (e) {
      // A missing topic is a state to show (not started yet), not a failure of the page.
      const topics = await this.admin.listTopics({ timeout: 5000 });
      if (!topics.includes(topic)) return { topic, exists: false, partitions: [] };
      throw e;
    }
  }

  async committedOffsets(groupId: string, topic: string): Promise<Map<number, number>> {
    await this.ready();
    const res = await this.admin.fetchOffsets({ groupId, topics: [topic], timeout: 5000 });
    const out = new Map<number, number>();
    for (const t of res)
      for (const p of t.partitions) {
        const o = Number(p.offset);
        if (!p.error && o >= 0) out.set(p.partition, o);
      }
    return out;
  }

  async close(): Promise<void> {
    if (this.connected) await this.admin.disconnect();
    this.connected = null;
  }
}

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Config } from "../common/src/config.ts";
import { kafkaTool } from "./topic-configs.ts";

/**
 * Moves a partition's log start offset to `offset`, deleting the records before it, as retention does
 * (kafka-delete-records): the JavaScript client has no DeleteRecords, so Kafka's own tool does it.
 */
export async function deleteRecordsBefore(
  config: Pick<Config, "KAFKA_BOOTSTRAP" | "STACK_HOME">,
  topic: string,
  partition: number,
  offset: number,
): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "delete-records-"));
  try {
    const file = join(dir, "offsets.json");
    await writeFile(file, JSON.stringify({ version: 1, partitions: [{ topic, partition, offset }] }));
    await kafkaTool(config, "org.apache.kafka.tools.DeleteRecordsCommand", ["--offset-json-file", file]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

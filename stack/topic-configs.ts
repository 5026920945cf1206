import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { Config } from "../common/src/config.ts";
import { brokerList } from "../common/src/kafka-topics.ts";
import { kafkaClasspath } from "./kafka.ts";
import { stackDirs } from "./paths.ts";

const run = promisify(execFile);

/** Runs one of Kafka's own command-line tools (its main class) against the cluster, from the stack's classpath. */
export async function kafkaTool(
  config: Pick<Config, "KAFKA_BOOTSTRAP" | "STACK_HOME">,
  mainClass: string,
  args: string[],
): Promise<string> {
  const { stdout } = await run(
    "java",
    [
      "-cp",
      kafkaClasspath(stackDirs(config)),
      mainClass,
      "--bootstrap-server",
      brokerList(config).join(","),
      ...args,
    ],
    { timeout: 60_000 },
  );
  return stdout;
}

/**
 * The topic's configs as the broker holds them (kafka-configs --describe --all): the JavaScript client
 * has no DescribeConfigs, so Kafka's own tool answers, from the stack's classpath.
 */
export async function describeTopicConfigs(
  config: Pick<Config, "KAFKA_BOOTSTRAP" | "STACK_HOME">,
  topic: string,
): Promise<Record<string, string>> {
  const stdout = await kafkaTool(config, "kafka.admin.ConfigCommand", [
    "--describe",
    "--all",
    "--entity-type",
    "topics",
    "--entity-name",
    topic,
  ]);
  // "  retention.ms=86400000 sensitive=false synonyms={...}"
  const entries = [...stdout.matchAll(/^\s+([a-z0-9.]+)=(.*?) sensitive=/gm)].map((m) => [m[1]!, m[2]!]);
  return Object.fromEntries(entries);
}

import kafkajs from "kafkajs";
import type { Config } from "./config.ts";

/** One topic config changed on the broker to match the settings. `from` undefined: it was not set. */
export interface TopicConfigChange {
  topic: string;
  name: string;
  from: string | undefined;
  to: string;
}

/** A topic and the configs its settings ask for (TopicSpec.configEntries). */
export interface DesiredTopicConfigs {
  topic: string;
  configEntries?: { name: string; value: string }[];
}

// kafkajs's configSource for a config set on the topic itself (DYNAMIC_TOPIC_CONFIG).
const TOPIC_SOURCE = 1;

/** Two values of one config are the same: cleanup.policy lists compare as sets ("delete,compact"). */
function sameValue(name: string, a: string | undefined, b: string): boolean {
  if (a === undefined) return false;
  if (name !== "cleanup.policy") return a === b;
  const set = (v: string) =>
    v
      .split(",")
      .map((s) => s.trim())
      .sort()
      .join(",");
  return set(a) === set(b);
}

function configAdmin(config: Pick<Config, "KAFKA_BOOTSTRAP">): kafkajs.Admin {
  const brokers = config.KAFKA_BOOTSTRAP.split(",")
    .map((b) => b.trim())
    .filter((b) => b !== "");
  return new kafkajs.Kafka({
    brokers,
    clientId: "rt-topic-configs",
    logLevel: kafkajs.logLevel.NOTHING,
    retry: { retries: 3 },
  }).admin();
}

/** Every config of each topic as the broker answers DescribeConfigs (name → value). */
export async function describeTopics(
  config: Pick<Config, "KAFKA_BOOTSTRAP">,
  topics: readonly string[],
): Promise<Record<string, string>[]> {
  const admin = configAdmin(config);
  await admin.connect();
  try {
    const { resources } = await admin.describeConfigs({
      resources: topics.map((name) => ({ type: kafkajs.ConfigResourceTypes.TOPIC, name })),
      includeSynonyms: false,
    });
    const byTopic = new Map(resources.map((r) => [r.resourceName, r]));
    return topics.map((t) =>
      Object.fromEntries((byTopic.get(t)?.configEntries ?? []).map((e) => [e.configName, e.configValue])),
    );
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * Brings the configs of existing topics to what the settings ask for (retention.ms, cleanup.policy,
 * segment.ms, min.insync.replicas): a topic created before a setting changed gets the new value at the
 * next start instead of keeping its old one for ever. Reads every topic's configs (DescribeConfigs) and
 * alters only the topics with a differing value, so an unchanged start changes nothing. The librdkafka
 * client has no config admin API; kafkajs speaks DescribeConfigs and AlterConfigs. AlterConfigs replaces
 * the whole set of a topic's own configs, so the ones set on it that the settings do not name are sent
 * back unchanged. Returns what changed.
 */
export async function reconcileTopicConfigs(
  config: Pick<Config, "KAFKA_BOOTSTRAP">,
  topics: readonly DesiredTopicConfigs[],
): Promise<TopicConfigChange[]> {
  const wanted = topics.filter((t) => (t.configEntries ?? []).length > 0);
  if (wanted.length === 0) return [];
  const admin = configAdmin(config);
  await admin.connect();
  try {
    const described = await admin.describeConfigs({
      resources: wanted.map((t) => ({ type: kafkajs.ConfigResourceTypes.TOPIC, name: t.topic })),
      includeSynonyms: false,
    });
    const byTopic = new Map(described.resources.map((r) => [r.resourceName, r]));
    const changes: TopicConfigChange[] = [];
    const alters: { topic: string; entries: { name: string; value: string }[] }[] = [];
    for (const t of wanted) {
      const resource = byTopic.get(t.topic);
      if (resource === undefined || resource.errorCode !== 0) {
        throw new Error(
          `cannot read the configs of topic ${t.topic}: ${resource?.errorMessage ?? "no answer"}`,
        );
      }
      const current = new Map(resource.configEntries.map((e) => [e.configName, e]));
      const differing = (t.configEntries ?? []).filter(
        (e) => !sameValue(e.name, current.get(e.name)?.configValue, e.value),
      );
      if (differing.length === 0) continue;
      for (const e of differing) {
        changes.push({ topic: t.topic, name: e.name, from: current.get(e.name)?.configValue, to: e.value });
      }
      const desired = new Map((t.configEntries ?? []).map((e) => [e.name, e.value]));
      const kept = resource.configEntries
        .filter((e) => e.configSource === TOPIC_SOURCE && !desired.has(e.configName))
        .map((e) => ({ name: e.configName, value: e.configValue }));
      alters.push({
        topic: t.topic,
        entries: [...kept, ...[...desired].map(([name, value]) => ({ name, value }))],
      });
    }
    if (alters.length > 0) {
      await admin.alterConfigs({
        validateOnly: false,
        resources: alters.map((a) => ({
          type: kafkajs.ConfigResourceTypes.TOPIC,
          name: a.topic,
          configEntries: a.entries,
        })),
      });
    }
    return changes;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

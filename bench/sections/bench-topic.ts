import { produceSynthetic } from "../../producer/src/index.ts";
import { benchConfig } from "./bench-env.ts";

// The one topic the processor and its peers all read in a bench run, so their figures compare: the
// producer's own synthetic users, schema v1, filled once (for each size asked), at full speed.
const filled = new Map<number, Promise<{ topic: string; events: number }>>();

export function benchTopic(events: number): Promise<{ topic: string; events: number }> {
  let topic = filled.get(events);
  topic ??= (async () => {
    const { config } = benchConfig("proc");
    const fill = await produceSynthetic(config, { rate: 0, count: events, progress: false });
    if (fill.sent !== events)
      throw new Error(`filled ${config.TOPIC_USERS} with ${fill.sent} of ${events} events`);
    console.log(`  filled ${config.TOPIC_USERS} with ${fill.sent} events`);
    return { topic: config.TOPIC_USERS, events };
  })();
  filled.set(events, topic);
  return topic;
}

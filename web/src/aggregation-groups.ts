import type { InstanceRegistry } from "./ports.ts";

export interface AggregationGroupsDeps {
  registry: InstanceRegistry;
  /** CONSUMER_GROUP: the processors whose groups are served. */
  consumerGroup: string;
  /** The web tier's own GROUP_BY fields: used only while no processor has published its own. */
  fallback: string[];
  cacheMs?: number;
  now?: () => number;
}

/**
 * The groups the API serves and the pages offer: "all" and every GROUP_BY field the processors publish
 * in their instance heartbeats (processor_instances.group_by). The processors' own configuration is
 * the truth: on another machine the web tier's GROUP_BY may differ. The union over the registered
 * instances keeps a group queryable while a rolling change of GROUP_BY runs (a row stays 10 minutes
 * after its last heartbeat). With no instance registered, the web tier's own GROUP_BY.
 */
export class AggregationGroups {
  private cached: { at: number; groups: string[] } | null = null;

  constructor(private readonly deps: AggregationGroupsDeps) {}

  async list(): Promise<string[]> {
    const now = (this.deps.now ?? Date.now)();
    if (this.cached && now - this.cached.at < (this.deps.cacheMs ?? 5_000)) return this.cached.groups;
    const beats = await this.deps.registry.heartbeats(this.deps.consumerGroup);
    // In the processors' GROUP_BY order (instances in registry order, each new field where it first
    // appears): the operator's order is a priority, the Overview tabulates the first field.
    const published = new Set(beats.flatMap((b) => b.groupBy));
    const fields = published.size > 0 ? [...published] : this.deps.fallback;
    const groups = ["all", ...fields.filter((f) => f !== "all")];
    this.cached = { at: now, groups };
    return groups;
  }
}

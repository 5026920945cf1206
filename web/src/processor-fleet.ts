import { liveness } from "../../common/src/instance-registry.ts";
import type {
  InstanceRegistry,
  ProcessorFleetSource,
  ProcessorInstance,
  ProcessorStatusSource,
} from "./ports.ts";

export interface FleetDeps {
  registry: InstanceRegistry;
  group: string;
  /** The /status reader of a registered address (host:port). */
  statusAt(address: string): ProcessorStatusSource;
  /** PROCESSOR_STATUS_URL's reader, for a processor that does not register (an older one); optional. */
  fixed?: { url: string; source: ProcessorStatusSource };
  now?: () => number;
}

/**
 * Every processor instance of the consumer group, found in the instance registry; each one that still
 * beats is asked for its /status. One that stopped beating is shown as gone, and not asked.
 */
export class ProcessorFleet implements ProcessorFleetSource {
  private readonly readers = new Map<string, ProcessorStatusSource>();

  constructor(private readonly deps: FleetDeps) {}

  async instances(): Promise<ProcessorInstance[]> {
    const now = (this.deps.now ?? Date.now)();
    const [beats, fixed] = await Promise.all([
      this.deps.registry.heartbeats(this.deps.group),
      this.deps.fixed ? this.deps.fixed.source.status().catch(() => null) : Promise.resolve(null),
    ]);
    const registered = await Promise.all(
      beats.map(async (b): Promise<ProcessorInstance> => {
        const state = liveness(b, now);
        const ask = state !== "gone" && state !== "stopped";
        const status = ask ? await this.reader(b.address).status() : null;
        return {
          instance: b.instance,
          address: b.address,
          liveness: state,
          heartbeatAt: b.heartbeatAt,
          assigned: status?.assigned ?? b.assigned,
          // An address now served by another instance (a restart on the same port) is not this one's.
          status: status && status.instance === b.instance ? status : null,
        };
      }),
    );
    const out = registered.sort((a, b) => a.instance.localeCompare(b.instance));
    if (fixed && this.deps.fixed && !out.some((i) => i.instance === fixed.instance)) {
      out.push({
        instance: fixed.instance,
        address: this.deps.fixed.url,
        liveness: "unregistered",
        heartbeatAt: null,
        assigned: fixed.assigned,
        status: fixed,
      });
    }
    return out;
  }

  private reader(address: string): ProcessorStatusSource {
    let r = this.readers.get(address);
    if (!r) {
      r = this.deps.statusAt(address);
      // Addresses come and go with instances; the map never holds more than a registry's worth.
      if (this.readers.size > 256) this.readers.clear();
      this.readers.set(address, r);
    }
    return r;
  }
}

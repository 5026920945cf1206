import type { Config } from "../common/src/config.ts";
import { cassandraService } from "./cassandra.ts";
import { kafkaService } from "./kafka.ts";
import { type StackDirs, stackDirs } from "./paths.ts";
import { registryService } from "./registry.ts";
import type { Service } from "./service.ts";
import { type Topology, topology } from "./topology.ts";

/** Every process of the stack the config describes, in start order: brokers, the registry, Cassandra nodes. */
export function stackServices(config: Config): { dirs: StackDirs; topo: Topology; services: Service[] } {
  const dirs = stackDirs(config);
  const topo = topology(config);
  const services = [
    ...topo.kafka.map((k) => kafkaService(config, dirs, topo, k)),
    registryService(config, dirs, topo),
    ...topo.cassandra.map((c) => cassandraService(config, dirs, topo, c)),
  ];
  return { dirs, topo, services };
}

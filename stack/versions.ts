// The one place where the stack's versions are pinned. Changing one re-resolves it into
// .stack/cache on the next `stack up`.
export const versions = {
  kafka: "4.1.1",
  log4j: "2.24.3",
  slf4j: "2.0.17",
  cassandra: "5.0.6",
  apicurio: "2.6.13.Final",
} as const;

/** Client ports of the single-node stack; the others, and every cluster address, are settings (topology.ts). */
export const ports = {
  kafka: 9092,
  registry: 8081,
  cassandraNative: 9042,
} as const;

/** The registry's heap; Kafka's and Cassandra's are STACK_KAFKA_HEAP and STACK_CASSANDRA_HEAP. */
export const heaps = { registry: "256m" } as const;

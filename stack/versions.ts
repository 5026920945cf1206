// The one place where the stack's versions are pinned. Changing one re-resolves it into
// .stack/cache on the next `stack up`.
export const versions = {
  kafka: "4.1.1",
  log4j: "2.24.3",
  slf4j: "2.0.17",
  cassandra: "5.0.6",
  apicurio: "2.6.13.Final",
} as const;

export const ports = {
  kafka: 9092,
  kafkaController: 9093,
  registry: 8081,
  cassandraNative: 9042,
  cassandraStorage: 7000,
  cassandraJmx: 7199,
} as const;

/** Heap sizes chosen for a 2-core, shared machine running all three services beside the app. */
export const heaps = { kafka: "512m", registry: "256m", cassandra: "1g" } as const;

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Client, policies } from "cassandra-driver";
import { contactPoints } from "../common/src/cassandra-settings.ts";
import type { Config } from "../common/src/config.ts";
import { answerWithin } from "../common/src/timeouts.ts";
import { classpath } from "./maven.ts";
import { confDir, ensureDir, type StackDirs } from "./paths.ts";
import { startJava } from "./process.ts";
import type { Service } from "./service.ts";
import type { CassandraNode, Topology } from "./topology.ts";
import { versions } from "./versions.ts";

// Tuned for a 2-core machine shared with Kafka and the app: one token, one compactor and flush
// writer, small memtables, modest read/write concurrency. A cluster's node (ccm's way): its own
// loopback address, an even initial token, no bootstrap streaming (the cluster starts empty).
export function cassandraYaml(
  node: CassandraNode,
  home: string,
  clusterName: string,
  small: boolean,
): string {
  const memtable = small ? "64MiB" : "128MiB";
  return `cluster_name: ${clusterName}
num_tokens: 1
${node.initialToken === undefined ? "" : `initial_token: ${node.initialToken}\nauto_bootstrap: false\n`}partitioner: org.apache.cassandra.dht.Murmur3Partitioner
data_file_directories: [${join(home, "data")}]
commitlog_directory: ${join(home, "commitlog")}
saved_caches_directory: ${join(home, "saved_caches")}
hints_directory: ${join(home, "hints")}
cdc_raw_directory: ${join(home, "cdc")}
commitlog_sync: periodic
commitlog_sync_period: 10000ms
commitlog_segment_size: 32MiB
seed_provider:
  - class_name: org.apache.cassandra.locator.SimpleSeedProvider
    parameters:
      - seeds: "${node.seed}"
listen_address: ${node.host}
rpc_address: ${node.host}
storage_port: ${node.storagePort}
native_transport_port: ${node.nativePort}
start_native_transport: true
endpoint_snitch: SimpleSnitch
concurrent_reads: 8
concurrent_writes: 16
concurrent_counter_writes: 4
concurrent_materialized_view_writes: 4
concurrent_compactors: 1
memtable_flush_writers: 1
memtable_heap_space: ${memtable}
memtable_offheap_space: ${memtable}
compaction_throughput: 64MiB/s
batch_size_warn_threshold: 64KiB
batch_size_fail_threshold: 1MiB
authenticator: AllowAllAuthenticator
authorizer: AllowAllAuthorizer
disk_access_mode: mmap_index_only
`;
}

// The module opens Java 17 needs, as in Cassandra's own conf/jvm17-server.options.
const jpms = [
  ...[
    "java.base/jdk.internal.misc",
    "java.management.rmi/com.sun.jmx.remote.internal.rmi",
    "java.rmi/sun.rmi.registry",
    "java.rmi/sun.rmi.server",
    "java.sql/java.sql",
    "java.base/java.lang.ref",
    "jdk.unsupported/sun.misc",
    "jdk.compiler/com.sun.tools.javac.file",
    "jdk.attach/sun.tools.attach",
  ].map((m) => `--add-exports=${m}=ALL-UNNAMED`),
  ...[
    "java.base/java.lang.module",
    "java.base/jdk.internal.loader",
    "java.base/jdk.internal.ref",
    "java.base/jdk.internal.reflect",
    "java.base/jdk.internal.math",
    "java.base/jdk.internal.module",
    "java.base/jdk.internal.util.jar",
    "jdk.management/com.sun.management.internal",
    "java.base/sun.nio.ch",
    "java.base/java.io",
    "java.base/java.nio",
    "java.base/java.lang.reflect",
    "jdk.compiler/com.sun.tools.javac",
    "java.base/java.lang",
    "java.base/java.util",
  ].map((m) => `--add-opens=${m}=ALL-UNNAMED`),
];

const cp = (dirs: StackDirs) => {
  const deps = classpath(dirs.cache, "cassandra", { "cassandra.version": versions.cassandra });
  const jar = join(
    process.env.HOME ?? "/root",
    ".m2/repository/org/apache/cassandra/cassandra-all",
    versions.cassandra,
    `cassandra-all-${versions.cassandra}.jar`,
  );
  return `${deps}:${jar}`;
};

function client(config: Config, points: string[], only?: string): Client {
  return new Client({
    contactPoints: points,
    localDataCenter: config.CASSANDRA_DC,
    socketOptions: { connectTimeout: 3_000, readTimeout: 10_000 },
    // A node's own check asks that node alone, not whichever coordinator the driver would pick.
    ...(only
      ? {
          policies: {
            loadBalancing: new policies.loadBalancing.AllowListPolicy(
              new policies.loadBalancing.RoundRobinPolicy(),
              [only],
            ),
          },
        }
      : {}),
  });
}

// Every start of a non-seed node asks the seed for the ring first (Gossiper.doShadowRound) and exits
// with "Unable to gossip with any peers" when no answer comes within twice the ring delay. At 1 s a
// node restarted mid-chaos on 2 busy cores gave up 2 s after its connection to the seed opened. The
// round ends as soon as the seed answers, and auto_bootstrap is off (no ring-delay sleeps), so the
// longer delay costs a healthy start nothing. The seed (index 0) keeps 1 s: its round only asks peers
// it knew, never fails its start, and would wait the whole delay when they are all down.
const ringDelayMs = (topo: Topology, node: CassandraNode): number =>
  topo.nodes === 1 ? 100 : node.index === 0 ? 1_000 : 15_000;

/** One Cassandra node: the single one, or a cluster's node on its own loopback address. */
export function cassandraService(
  config: Config,
  dirs: StackDirs,
  topo: Topology,
  node: CassandraNode,
): Service {
  const home = join(dirs.data, node.name);
  const yaml = join(home, "cassandra.yaml");
  const address = `${node.host}:${node.nativePort}`;
  const endpoint = topo.nodes === 1 ? config.CASSANDRA_CONTACT_POINT : address;
  const heap = config.STACK_CASSANDRA_HEAP;
  const small = /^[0-9]+m$/.test(heap) && Number.parseInt(heap, 10) < 1024;
  return {
    kind: "cassandra",
    name: node.name,
    setting: "CASSANDRA_CONTACT_POINT",
    endpoint,
    localEndpoint: address,
    host: node.host,
    ports: [node.nativePort, node.storagePort, node.jmxPort],
    ...(node.index > 0 ? { startAfter: topo.cassandra[0]!.name } : {}),
    prepare() {
      for (const d of ["data", "commitlog", "saved_caches", "hints", "cdc"]) ensureDir(join(home, d));
      writeFileSync(
        yaml,
        cassandraYaml(node, home, topo.nodes === 1 ? "rt-pipeline" : "rt-pipeline-cluster", small),
      );
      cp(dirs);
    },
    start() {
      startJava(dirs, node.name, [
        `-Xms${heap}`,
        `-Xmx${heap}`,
        "-Xss512k",
        "-XX:+UseG1GC",
        "-XX:+ParallelRefProcEnabled",
        "-XX:MaxTenuringThreshold=1",
        "-XX:MaxGCPauseMillis=300",
        "-XX:ActiveProcessorCount=2",
        "-Djdk.attach.allowAttachSelf=true",
        "-Dio.netty.tryReflectionSetAccessible=true",
        ...jpms,
        `-Dcassandra.config=file://${yaml}`,
        "-Dcassandra-foreground=yes",
        `-Dcassandra.storagedir=${home}`,
        `-Dcassandra.logdir=${ensureDir(topo.nodes === 1 ? dirs.logs : join(dirs.logs, node.name))}`,
        `-Dlogback.configurationFile=${join(confDir, "cassandra-logback.xml")}`,
        "-Dcassandra.skip_wait_for_gossip_to_settle=0",
        `-Dcassandra.ring_delay_ms=${ringDelayMs(topo, node)}`,
        "-Dcassandra.superuser_setup_delay_ms=0",
        `-Dcassandra.jmx.local.port=${node.jmxPort}`,
        "-cp",
        cp(dirs),
        "org.apache.cassandra.service.CassandraDaemon",
      ]);
    },
    async ready() {
      const c =
        topo.nodes === 1
          ? client(config, contactPoints({ CASSANDRA_CONTACT_POINT: endpoint }))
          : client(config, [address], address);
      try {
        await answerWithin(c.connect(), 5_000, "cassandra connect");
        await answerWithin(c.execute("SELECT release_version FROM system.local"), 5_000, "cassandra query");
        return true;
      } catch {
        return false;
      } finally {
        await c.shutdown().catch(() => undefined);
      }
    },
    async reset() {
      const ks = config.CASSANDRA_KEYSPACE;
      const c = client(config, contactPoints(config));
      try {
        await answerWithin(c.connect(), 10_000, "cassandra connect");
        const r = await c.execute(
          "SELECT keyspace_name FROM system_schema.keyspaces WHERE keyspace_name = ?",
          [ks],
        );
        if (r.rowLength === 0) return [];
        await c.execute(`DROP KEYSPACE ${ks}`);
        return [`keyspace ${ks}`];
      } finally {
        await c.shutdown().catch(() => undefined);
      }
    },
  };
}

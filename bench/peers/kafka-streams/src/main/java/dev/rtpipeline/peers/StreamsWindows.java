package dev.rtpipeline.peers;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The processor's aggregation (contract §4) as a Kafka Streams app: reads the topic from the earliest
 * offset under a fresh application id, aggregates per source partition (see WindowAggregator), and
 * stops by itself once every partition's processed offset reaches the end offset it had at start.
 *
 * <p>It writes no output topic; its only writes are Streams' own: the RocksDB store, its changelog
 * topic and offset commits (at-least-once). At the end it prints the per-group counts of its stores.
 */
public final class StreamsWindows {
  private StreamsWindows() {}

  public static void main(String[] args) throws Exception {
    String bootstrap = Env.get("KAFKA_BOOTSTRAP", "127.0.0.1:9092");
    String topic = Env.required("PEERS_TOPIC");
    String appId = Env.required("PEERS_GROUP");
    String threads = Env.get("PEERS_CORES", String.valueOf(Runtime.getRuntime().availableProcessors()));
    Schema writer = new Schema.Parser().parse(Files.readString(Path.of(Env.required("PEERS_SCHEMA"))));
    String stateDir = Env.required("PEERS_STATE_DIR");

    long[] end = endOffsets(bootstrap, topic);
    Progress progress = new Progress(end.length);

    StreamsBuilder builder = new StreamsBuilder();
    builder.addStateStore(
        Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(WindowAggregator.STORE), Serdes.String(), Agg.SERDE));
    builder.stream(topic, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
        .process(() -> new WindowAggregator(writer, progress), WindowAggregator.STORE);

    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, appId);
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, threads);
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir);
    props.put(StreamsConfig.DEFAULT_TIMESTAMP_EXTRACTOR_CLASS_CONFIG, EventTimeExtractor.class);
    props.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");

    KafkaStreams streams = new KafkaStreams(builder.build(), props);
    streams.start();
    while (!progress.reached(end)) {
      if (streams.state() == KafkaStreams.State.ERROR || streams.state() == KafkaStreams.State.NOT_RUNNING)
        throw new IllegalStateException("Kafka Streams stopped: " + streams.state());
      Thread.sleep(20);
    }
    Peer.emit("{\"event\":\"done\"}");

    Map<String, Long> byGroup = new HashMap<>();
    Set<String> windows = new HashSet<>();
    ReadOnlyKeyValueStore<String, Agg> store =
        streams.store(StoreQueryParameters.fromNameAndType(WindowAggregator.STORE, QueryableStoreTypes.keyValueStore()));
    try (KeyValueIterator<String, Agg> all = store.all()) {
      while (all.hasNext()) {
        KeyValue<String, Agg> kv = all.next();
        windows.add(kv.key);
        byGroup.merge(kv.key.split("\\|", 3)[1], kv.value.count(), Long::sum);
      }
    }
    long events = 0;
    for (long e : end) events += e;
    Peer.emit(
        String.format(
            "{\"event\":\"result\",\"events\":%d,\"late\":%d,\"windowRows\":%d,\"counts\":%s}",
            events, progress.late.get(), windows.size(), Peer.json(byGroup)));
    streams.close(Duration.ofSeconds(30));
  }

  /** The topic's end offsets, by partition (partitions are numbered 0..n-1). */
  private static long[] endOffsets(String bootstrap, String topic) throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      int n = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
      Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
      for (int p = 0; p < n; p++) specs.put(new TopicPartition(topic, p), OffsetSpec.latest());
      long[] end = new long[n];
      admin.listOffsets(specs).all().get().forEach((tp, info) -> end[tp.partition()] = info.offset());
      return end;
    }
  }
}

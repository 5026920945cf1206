package dev.rtpipeline.peers;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Tumbling windows of 10 s aligned to the epoch with a 5 s grace, per task, that is per source
 * partition, like the processor (contract §4): a record is late when its window ends at or before
 * the task's stream time minus the grace, Kafka Streams' own rule for TimeWindows.ofSizeAndGrace.
 *
 * <p>Aggregating in the task of the source partition is what the DSL's groupBy cannot do without
 * writing every event three times to a repartition topic; the processor does not repartition either.
 * The store is RocksDB with Streams' record cache and changelog topic (the defaults).
 */
final class WindowAggregator implements Processor<byte[], byte[], Void, Void> {
  static final String STORE = "windows";
  static final long SIZE_MS = 10_000;
  static final long GRACE_MS = 5_000;

  private final AgeProjection projection;
  private final Progress progress;
  private ProcessorContext<Void, Void> context;
  private KeyValueStore<String, Agg> store;

  WindowAggregator(Schema writer, Progress progress) {
    this.projection = new AgeProjection(writer);
    this.progress = progress;
  }

  @Override
  public void init(ProcessorContext<Void, Void> context) {
    this.context = context;
    this.store = context.getStateStore(STORE);
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    long start = Math.floorDiv(record.timestamp(), SIZE_MS) * SIZE_MS;
    if (start + SIZE_MS <= context.currentStreamTimeMs() - GRACE_MS) {
      progress.late.incrementAndGet();
    } else {
      GenericRecord user;
      try {
        user = projection.decode(record.value());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      int age = (Integer) user.get("age");
      add(start + "|all|*", age);
      add(start + "|nat|" + user.get("nat"), age);
      add(start + "|gender|" + user.get("gender"), age);
    }
    context.recordMetadata().ifPresent(m -> progress.processed(m.partition(), m.offset()));
  }

  private void add(String key, int age) {
    Agg old = store.get(key);
    store.put(key, old == null ? Agg.of(age) : old.plus(age));
  }
}

package dev.rtpipeline.peers;

import static org.apache.spark.sql.avro.functions.from_avro;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.window;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryProgress;
import org.apache.spark.sql.streaming.Trigger;

/**
 * The processor's aggregation (contract §4) as a Spark Structured Streaming job: tumbling 10 s
 * epoch-aligned windows, a 5 s watermark delay, the groups all / nat / gender, count, sum, min, max
 * and avg of age. One AvailableNow trigger reads the whole topic from the earliest offset and the
 * query stops by itself.
 *
 * <p>It writes nothing durable: foreachBatch keeps each window row's latest count on the driver
 * (a few hundred rows), so the run ends with per-group counts the bench checks against the events.
 *
 * <p>stdout carries only {@code PEER <json>} lines (start, done, result); Spark logs to stderr.
 */
public final class SparkWindows {
  private SparkWindows() {}

  public static void main(String[] args) throws Exception {
    String bootstrap = Env.get("KAFKA_BOOTSTRAP", "127.0.0.1:9092");
    String topic = Env.required("PEERS_TOPIC");
    int cores = Integer.parseInt(Env.get("PEERS_CORES", String.valueOf(Runtime.getRuntime().availableProcessors())));
    String schema = Files.readString(Path.of(Env.required("PEERS_SCHEMA")));
    Path checkpoint = Path.of(Env.required("PEERS_STATE_DIR"), "checkpoint");

    SparkSession spark =
        SparkSession.builder()
            .master("local[" + cores + "]")
            .appName("peers-spark-windows")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            // One shuffle partition a core instead of the default 200, as one tunes Spark for local[N].
            .config("spark.sql.shuffle.partitions", String.valueOf(cores))
            .getOrCreate();

    Dataset<Row> events =
        spark
            .readStream()
            .format("kafka")
            .option("kafka.bootstrap.servers", bootstrap)
            .option("subscribe", topic)
            .option("startingOffsets", "earliest")
            .option("groupIdPrefix", "peers-spark")
            .load()
            // Confluent wire format: magic byte and 4-byte schema id before the Avro body.
            .select(from_avro(expr("substring(value, 6)"), schema).as("u"))
            .select(col("u.event_time").as("event_time"), col("u.nat"), col("u.gender"), col("u.age"));

    Dataset<Row> windows =
        events
            .withWatermark("event_time", "5 seconds")
            .select(
                col("event_time"),
                col("age"),
                explode(
                        array(
                            struct(lit("all").as("grp"), lit("*").as("key")),
                            struct(lit("nat").as("grp"), col("nat").as("key")),
                            struct(lit("gender").as("grp"), col("gender").as("key"))))
                    .as("g"))
            .groupBy(window(col("event_time"), "10 seconds"), col("g.grp"), col("g.key"))
            .agg(
                count(lit(1)).as("count"),
                sum("age").as("sum_age"),
                min("age").as("min_age"),
                max("age").as("max_age"),
                avg("age").as("avg_age"));

    Map<String, Long> latestCount = new HashMap<>();
    VoidFunction2<Dataset<Row>, Long> keepLatest =
        (batch, id) -> {
          for (Row row : batch.select(col("window.start").cast("long"), col("grp"), col("key"), col("count")).collectAsList()) {
            latestCount.put(row.getLong(0) + "|" + row.getString(1) + "|" + row.getString(2), row.getLong(3));
          }
        };

    Peer.emit("{\"event\":\"start\"}");
    StreamingQuery query =
        windows
            .writeStream()
            .outputMode("update")
            .trigger(Trigger.AvailableNow())
            .option("checkpointLocation", checkpoint.toString())
            .foreachBatch(keepLatest)
            .start();
    query.awaitTermination();
    Peer.emit("{\"event\":\"done\"}");

    long dropped = 0;
    AtomicLong input = new AtomicLong();
    for (StreamingQueryProgress p : query.recentProgress()) {
      input.addAndGet(p.numInputRows());
      for (var op : p.stateOperators()) dropped += op.numRowsDroppedByWatermark();
    }
    Map<String, Long> byGroup = new HashMap<>();
    latestCount.forEach((k, c) -> byGroup.merge(k.split("\\|", 3)[1], c, Long::sum));
    Peer.emit(
        String.format(
            "{\"event\":\"result\",\"events\":%d,\"droppedRows\":%d,\"windowRows\":%d,\"batches\":%d,\"counts\":%s}",
            input.get(), dropped, latestCount.size(), query.recentProgress().length, Peer.json(byGroup)));
    spark.stop();
  }
}

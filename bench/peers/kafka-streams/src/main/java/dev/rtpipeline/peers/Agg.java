package dev.rtpipeline.peers;

import java.nio.ByteBuffer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/** One window's aggregate of age for one group key: count, sum, min, max (avg = sum / count). */
record Agg(long count, long sum, int min, int max) {
  static Agg of(int age) {
    return new Agg(1, age, age, age);
  }

  Agg plus(int age) {
    return new Agg(count + 1, sum + age, Math.min(min, age), Math.max(max, age));
  }

  static final Serializer<Agg> SERIALIZER =
      (topic, a) ->
          a == null
              ? null
              : ByteBuffer.allocate(24).putLong(a.count).putLong(a.sum).putInt(a.min).putInt(a.max).array();

  static final Deserializer<Agg> DESERIALIZER =
      (topic, b) -> {
        if (b == null) return null;
        ByteBuffer buf = ByteBuffer.wrap(b);
        return new Agg(buf.getLong(), buf.getLong(), buf.getInt(), buf.getInt());
      };

  static final Serde<Agg> SERDE = Serdes.serdeFrom(SERIALIZER, DESERIALIZER);
}

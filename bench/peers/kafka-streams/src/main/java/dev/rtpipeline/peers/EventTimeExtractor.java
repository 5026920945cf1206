package dev.rtpipeline.peers;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * A record's time is its event_time (contract §4), so stream time, and the lateness it decides, is
 * event time per partition. event_time is the record's second field: after the 5-byte Confluent
 * header and the event_id string it is one zig-zag varint, read here without decoding the rest.
 */
public final class EventTimeExtractor implements TimestampExtractor {
  @Override
  public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
    if (!(record.value() instanceof byte[] v) || v.length < 6 || v[0] != 0) return -1;
    int[] at = {5};
    long idLength = readLong(v, at);
    at[0] += (int) idLength;
    return readLong(v, at);
  }

  private static long readLong(byte[] v, int[] at) {
    long n = 0;
    int shift = 0;
    int b;
    do {
      b = v[at[0]++] & 0xff;
      n |= (long) (b & 0x7f) << shift;
      shift += 7;
    } while ((b & 0x80) != 0);
    return (n >>> 1) ^ -(n & 1);
  }
}

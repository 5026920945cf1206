package dev.rtpipeline.peers;

import java.io.IOException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;

/**
 * Decodes the fields the aggregation needs from a Confluent-framed Avro value (the 5-byte header
 * skipped), the others skipped by Avro's schema resolution, the way the processor's projected reader
 * does. One per task: the decoder and record are reused.
 */
final class AgeProjection {
  private static final Schema READER =
      SchemaBuilder.record("UserCreated")
          .namespace("dev.rtpipeline.users")
          .fields()
          .requiredString("gender")
          .requiredString("nat")
          .requiredInt("age")
          .endRecord();

  private final GenericDatumReader<GenericRecord> reader;
  private BinaryDecoder decoder;
  private GenericRecord record;

  AgeProjection(Schema writer) {
    reader = new GenericDatumReader<>(writer, READER);
  }

  GenericRecord decode(byte[] value) throws IOException {
    decoder = DecoderFactory.get().binaryDecoder(value, 5, value.length - 5, decoder);
    record = reader.read(record, decoder);
    return record;
  }
}

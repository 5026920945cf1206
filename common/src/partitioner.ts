import { crc32 } from "node:zlib";

/**
 * How the producer spreads events over the partitions of the users topic: librdkafka's
 * `consistent_random` (CRC-32 of the key modulo the partition count; random for a keyless message).
 * Lateness is decided per partition (contract §4), so the golden files, which say which events are
 * late, depend on it.
 */
export const PARTITIONER = "consistent_random";

/** The partition of a keyed message under PARTITIONER. */
export function partitionOf(key: string, partitions: number): number {
  if (!Number.isInteger(partitions) || partitions < 1)
    throw new RangeError(`bad partition count ${partitions}`);
  return crc32(key) % partitions;
}

package dev.rtpipeline.peers;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/** What the stream threads have processed, read by the main thread to stop at the end of the topic. */
final class Progress {
  private final AtomicLongArray lastOffset;
  private final AtomicBoolean started = new AtomicBoolean();
  final AtomicLong late = new AtomicLong();

  Progress(int partitions) {
    lastOffset = new AtomicLongArray(partitions);
    for (int p = 0; p < partitions; p++) lastOffset.set(p, -1);
  }

  void processed(int partition, long offset) {
    if (!started.get() && started.compareAndSet(false, true)) Peer.emit("{\"event\":\"start\"}");
    lastOffset.lazySet(partition, offset);
  }

  /** Whether every partition's processed offset has reached its end offset (the next offset to be written). */
  boolean reached(long[] endOffsets) {
    for (int p = 0; p < endOffsets.length; p++) if (lastOffset.get(p) + 1 < endOffsets[p]) return false;
    return true;
  }
}

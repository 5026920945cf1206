package dev.rtpipeline.peers;

import java.util.Map;
import java.util.TreeMap;

/**
 * What a peer tells the bench, on stdout, one {@code PEER <json>} line each: {@code start} when it
 * begins to process, {@code done} the moment it has processed the whole topic (the bench reads the
 * process's CPU time from /proc at both), then {@code result} with the per-group counts.
 */
public final class Peer {
  private Peer() {}

  public static synchronized void emit(String json) {
    System.out.println("PEER " + json);
    System.out.flush();
  }

  /** A JSON object of group name to count; group names are the fixed all / nat / gender. */
  public static String json(Map<String, Long> counts) {
    StringBuilder b = new StringBuilder("{");
    new TreeMap<>(counts).forEach((k, v) -> b.append(b.length() > 1 ? "," : "").append('"').append(k).append("\":").append(v));
    return b.append('}').toString();
  }
}

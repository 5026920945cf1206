package dev.rtpipeline.peers;

/** The peers' settings, from environment variables the bench sets. */
public final class Env {
  private Env() {}

  public static String get(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isEmpty() ? fallback : v;
  }

  public static String required(String name) {
    String v = System.getenv(name);
    if (v == null || v.isEmpty()) throw new IllegalArgumentException(name + " is not set");
    return v;
  }
}

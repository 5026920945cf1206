import { describe, expect, it } from "vitest";
import { startFailure } from "./start-failure.ts";

const drain = Array.from(
  { length: 30 },
  (_, i) =>
    `2026-12-02 03:53:18,${100 + i} INFO  [StorageServiceShutdownHook] ColumnFamilyStore - flush ${i}`,
);

describe("startFailure", () => {
  it("shows the cause a JVM logged before its shutdown hooks, then how the log ends", () => {
    const log = [
      "2026-12-02 03:53:10,000 INFO  [main] StorageService - Starting up server gossip",
      "2026-12-02 03:53:10,100 WARN  [main] StartupChecks - The JVM is not configured to stop on OutOfMemoryError",
      "2026-12-02 03:53:11,000 INFO  [Messaging-EventLoop-3-1] NoSpamLogger - connection to /127.0.0.2:7000 failed",
      "io.netty.channel.AbstractChannel$AnnotatedConnectException: Connection refused: /127.0.0.2:7000",
      "Caused by: java.net.ConnectException: finishConnect(..) failed: Connection refused",
      "2026-12-02 03:53:17,500 ERROR [main] CassandraDaemon - Exception encountered during startup",
      "java.lang.RuntimeException: Unable to gossip with any peers",
      "\tat org.apache.cassandra.gms.Gossiper.doShadowRound(Gossiper.java:2075)",
      ...drain,
    ].join("\n");
    const shown = startFailure(log);
    expect(shown.split("\n")[0]).toContain("Exception encountered during startup");
    expect(shown).toContain("Unable to gossip with any peers");
    expect(shown).toContain("… (15 lines)");
    expect(shown.endsWith("flush 29")).toBe(true);
    expect(shown).not.toContain("Starting up server gossip");
    expect(shown).not.toContain("OutOfMemoryError");
    expect(shown).not.toContain("Connection refused");
  });

  it("falls back to an exception printed bare when nothing is logged at error level", () => {
    const log = [
      "Error: Could not find or load main class org.apache.cassandra.service.CassandraDaemon",
      "Caused by: java.lang.ClassNotFoundException: org.apache.cassandra.service.CassandraDaemon",
    ].join("\n");
    expect(startFailure(log)).toBe(log);
  });

  it("shows the last lines when nothing names a cause", () => {
    const shown = startFailure(drain.join("\n"));
    expect(shown.split("\n")).toEqual(drain.slice(-6));
  });

  it("does not repeat lines when the cause is near the end", () => {
    const log = [...drain.slice(0, 3), "ERROR: port 9042 in use", "bye"].join("\n");
    expect(startFailure(log)).toBe("ERROR: port 9042 in use\nbye");
  });

  it("says so when this start logged nothing", () => {
    expect(startFailure("")).toBe("(nothing logged by this start)");
  });
});

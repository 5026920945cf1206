import { describe, expect, it } from "vitest";
import { flushThenDisconnect } from "./kafka-producer.ts";

describe("flushThenDisconnect", () => {
  it("disconnects after a flush that fails, then reports the flush error", async () => {
    const calls: string[] = [];
    const closing = flushThenDisconnect(
      "127.0.0.1:9092",
      async () => {
        calls.push("flush");
        throw new Error("Local: Timed out");
      },
      async () => {
        calls.push("disconnect");
      },
    );
    await expect(closing).rejects.toThrow(
      "kafka 127.0.0.1:9092: producer closed without flushing everything: Local: Timed out",
    );
    expect(calls).toEqual(["flush", "disconnect"]);
  });

  it("flushes, then disconnects", async () => {
    const calls: string[] = [];
    await flushThenDisconnect(
      "127.0.0.1:9092",
      async () => {
        calls.push("flush");
      },
      async () => {
        calls.push("disconnect");
      },
    );
    expect(calls).toEqual(["flush", "disconnect"]);
  });
});

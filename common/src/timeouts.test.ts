import { describe, expect, it } from "vitest";
import { answerWithin, withTimeout } from "./timeouts.ts";

describe("withTimeout", () => {
  it("passes the result through, or fails with the message once the time is up", async () => {
    await expect(withTimeout(Promise.resolve(7), 50, "slow")).resolves.toBe(7);
    await expect(
      withTimeout(new Promise(() => undefined), 10, "stop took longer than 10 ms"),
    ).rejects.toThrow("stop took longer than 10 ms");
    await expect(answerWithin(new Promise(() => undefined), 10, "kafka connect")).rejects.toThrow(
      "kafka connect: no answer within 10 ms",
    );
  });
});

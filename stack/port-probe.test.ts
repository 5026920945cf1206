import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { heldPorts } from "./port-probe.ts";

describe("heldPorts", () => {
  it("names the ports something listens on and leaves out free ones", async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    // A port just released by a listener of our own is free (nothing else binds loopback ports this fast).
    const spare = createServer();
    await new Promise<void>((r) => spare.listen(0, "127.0.0.1", r));
    const freed = (spare.address() as { port: number }).port;
    await new Promise<void>((r) => spare.close(() => r()));
    try {
      expect(await heldPorts([port, freed])).toEqual([port]);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

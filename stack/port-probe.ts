import { connect } from "node:net";

/** The ports on `host` something accepts TCP connections on (a hung accept counts as taken too). */
export async function heldPorts(
  ports: readonly number[],
  host = "127.0.0.1",
  timeoutMs = 1_000,
): Promise<number[]> {
  const held = await Promise.all(ports.map((port) => accepts(host, port, timeoutMs)));
  return ports.filter((_, i) => held[i]);
}

function accepts(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (taken: boolean) => {
      socket.destroy();
      resolve(taken);
    };
    socket.setTimeout(timeoutMs, () => done(true));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

import net from "node:net";

/** A loopback TCP server standing in for a hung service: it accepts connections and never answers. */
export interface SilentPeer {
  port: number;
  url: string;
  /** Connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

/**
 * `trickle`: answers HTTP headers, then one byte of body every 50 ms, never ending: each wait for data is
 * short, so only a bound on the whole call (not a socket idle timeout) ends it.
 */
export async function startSilentPeer(opts: { trickle?: boolean } = {}): Promise<SilentPeer> {
  const open = new Set<net.Socket>();
  let accepted = 0;
  const server = net.createServer((socket) => {
    accepted++;
    open.add(socket);
    socket.on("error", () => undefined);
    socket.on("close", () => open.delete(socket));
    if (!opts.trickle) return;
    socket.once("data", () => {
      socket.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n");
      const drip = setInterval(() => socket.write(" "), 50);
      socket.on("close", () => clearInterval(drip));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    connections: () => accepted,
    close() {
      for (const s of open) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A loopback port nothing listens on (taken and released at once): connections to it are refused. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

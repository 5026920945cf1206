import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

// A stand-in for randomuser.me on loopback (the machines are offline): each request takes the next scripted
// response, so a test can line up faults (500, hang, truncated body, 429 + Retry-After) before a good page.
export type FaultStep =
  | { kind: "page"; body: string }
  | { kind: "status"; status: number; body?: string; headers?: Record<string, string> }
  | { kind: "truncated"; body: string }
  | { kind: "hang" };

export interface FaultServer {
  url: string;
  /** Query strings of the requests received, in order. */
  requests: URLSearchParams[];
  /** Wall-clock times (ms) of the requests received. */
  requestTimes: number[];
  script(steps: FaultStep[]): void;
  close(): Promise<void>;
}

export async function startFaultServer(fallback: FaultStep): Promise<FaultServer> {
  let steps: FaultStep[] = [];
  const requests: URLSearchParams[] = [];
  const requestTimes: number[] = [];
  const hanging = new Set<ServerResponse>();
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    requests.push(new URL(req.url ?? "/", "http://x").searchParams);
    requestTimes.push(Date.now());
    const step = steps.shift() ?? fallback;
    switch (step.kind) {
      case "page":
        res.writeHead(200, { "content-type": "application/json" }).end(step.body);
        return;
      case "status":
        res
          .writeHead(step.status, { "content-type": "application/json", ...step.headers })
          .end(step.body ?? "");
        return;
      case "truncated":
        res
          .writeHead(200, { "content-type": "application/json" })
          .end(step.body.slice(0, step.body.length / 2));
        return;
      case "hang":
        hanging.add(res);
        res.on("close", () => hanging.delete(res));
        return;
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/`,
    requests,
    requestTimes,
    script: (s) => {
      steps = [...s];
    },
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

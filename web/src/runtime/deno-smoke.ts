/// <reference types="deno" />
import { runSmoke } from "./smoke.ts";

// `deno run --allow-net=127.0.0.1 --allow-read --allow-env --allow-sys web/src/runtime/deno-smoke.ts` (run by
// deno-runtime.test.ts): the windowing core, and the Hono app with in-memory ports served by Deno.serve.
await runSmoke("deno", (app) => {
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, app.fetch);
  return { url: `http://127.0.0.1:${server.addr.port}`, stop: () => server.shutdown() };
});

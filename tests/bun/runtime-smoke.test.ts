import { expect, test } from "bun:test";
import { serveWithBun } from "../../web/src/runtime/bun-serve.ts";
import { APP_CHECKS, coreSmoke, smokeApp } from "../../web/src/runtime/smoke.ts";

// `bun test` (bunfig.toml's [test] root is this folder; web/src/runtime/smoke.test.ts runs it in the unit
// run): the windowing core, and the Hono app with in-memory ports served by Bun.serve and asked over HTTP.
test("windowing core equals the reference", () => {
  expect(coreSmoke()).toBeGreaterThan(20);
});

const server = serveWithBun(smokeApp(), 0, "127.0.0.1");
const base = `http://127.0.0.1:${server.port}`;
for (const check of APP_CHECKS) test(check.name, () => check.run(base));
test("stops", () => server.stop(true));

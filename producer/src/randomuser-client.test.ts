import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FetchUsersError, fetchUsers } from "./randomuser-client.ts";
import { type FaultServer, startFaultServer } from "./testing/fault-server.ts";

const goodPage = readFileSync(new URL("../../fixtures/api/page-good.json", import.meta.url), "utf8");
const fast = { timeoutMs: 300, backoff: { baseMs: 5, maxMs: 20 }, maxAttempts: 4 };

let server: FaultServer;
beforeAll(async () => {
  server = await startFaultServer({ kind: "page", body: goodPage });
});
afterAll(async () => {
  await server.close();
});

describe("fetchUsers against a local fault server", () => {
  it("fetches a page and asks for the configured number of results", async () => {
    server.script([]);
    const before = server.requests.length;
    const page = await fetchUsers({ url: server.url, results: 10, ...fast });
    expect(page.users).toHaveLength(10);
    expect(page.attempts).toBe(1);
    expect(server.requests[before]?.get("results")).toBe("10");
  });

  it("retries 500s, timeouts and truncated JSON, then succeeds", async () => {
    server.script([
      { kind: "status", status: 500, body: "oops" },
      { kind: "hang" },
      { kind: "truncated", body: goodPage },
    ]);
    const retries: string[] = [];
    const page = await fetchUsers({
      url: server.url,
      results: 10,
      ...fast,
      onRetry: (r) => retries.push(r.reason),
    });
    expect(page.users).toHaveLength(10);
    expect(page.attempts).toBe(4);
    expect(retries).toEqual([
      "HTTP 500",
      "timed out after 300 ms",
      expect.stringMatching(/^body is not JSON \(truncated\?\)/),
    ]);
  });

  it("waits the Retry-After of a 429 before retrying", async () => {
    server.script([{ kind: "status", status: 429, headers: { "retry-after": "1" } }]);
    const delays: number[] = [];
    const from = server.requestTimes.length;
    const page = await fetchUsers({
      url: server.url,
      results: 10,
      ...fast,
      onRetry: (r) => delays.push(r.delayMs),
    });
    expect(page.attempts).toBe(2);
    expect(delays).toEqual([1000]);
    const [first, second] = server.requestTimes.slice(from);
    // A lower bound only: the wait may be longer on a busy machine, never shorter (timer slack aside).
    expect(second! - first!).toBeGreaterThanOrEqual(990);
  });

  it("clamps an absurd Retry-After", async () => {
    server.script([{ kind: "status", status: 429, headers: { "retry-after": "86400" } }]);
    const delays: number[] = [];
    await fetchUsers({
      url: server.url,
      results: 10,
      ...fast,
      maxRetryAfterMs: 50,
      onRetry: (r) => delays.push(r.delayMs),
    });
    expect(delays).toEqual([50]);
  });

  it("gives up after maxAttempts with the last reason", async () => {
    server.script(Array.from({ length: 4 }, () => ({ kind: "status", status: 503 }) as const));
    await expect(fetchUsers({ url: server.url, results: 10, ...fast })).rejects.toThrow(
      /HTTP 503 \(after 4 attempts\)/,
    );
  });

  it("does not retry a client error", async () => {
    server.script([{ kind: "status", status: 404, body: "no such api" }]);
    const before = server.requests.length;
    const err = await fetchUsers({ url: server.url, results: 10, ...fast }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FetchUsersError);
    expect((err as FetchUsersError).attempts).toBe(1);
    expect((err as Error).message).toMatch(/HTTP 404: no such api/);
    expect(server.requests.length - before).toBe(1);
  });

  it("retries a 200 whose body is not a page of users", async () => {
    server.script([{ kind: "page", body: '{"error":"Uh oh, something has gone wrong."}' }]);
    const retries: string[] = [];
    await fetchUsers({ url: server.url, results: 10, ...fast, onRetry: (r) => retries.push(r.reason) });
    expect(retries[0]).toMatch(/^body is not a page of users: results/);
  });

  it("stops when aborted", async () => {
    server.script([{ kind: "hang" }]);
    const ctl = new AbortController();
    const pending = fetchUsers({
      url: server.url,
      results: 10,
      ...fast,
      timeoutMs: 5_000,
      signal: ctl.signal,
    });
    setTimeout(() => ctl.abort(), 50);
    await expect(pending).rejects.toThrow(/abort/i);
  });
});

import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FetchUsersError, fetchUsers } from "./randomuser-client.ts";
import { type FaultServer, startFaultServer } from "./testing/fault-server.ts";

const goodPage = readFileSync(new URL("../../fixtures/api/page-good.json", import.meta.url), "utf8");
// The timeout is what a hung request costs; short enough for a unit run, long enough that a loaded machine
// answering a good page slowly is not taken for a hang.
const fast = { timeoutMs: 2_000, backoff: { baseMs: 5, maxMs: 20 }, maxAttempts: 4 };

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
      "timed out after 2000 ms",
      expect.stringMatching(
        /^body is not JSON: [a-z ]+ at line \d+, column \d+ \(byte offset \d+\) \(truncated\?\)$/,
      ),
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

  it("waits the Retry-After of a 503 too", async () => {
    server.script([{ kind: "status", status: 503, headers: { "retry-after": "1" } }]);
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
    expect(second! - first!).toBeGreaterThanOrEqual(990);
  });

  it("waits a Retry-After up to the cap in full, never a shortened one", async () => {
    server.script([{ kind: "status", status: 429, headers: { "retry-after": "1" } }]);
    const delays: number[] = [];
    await fetchUsers({
      url: server.url,
      results: 10,
      ...fast,
      maxRetryAfterMs: 1_000,
      onRetry: (r) => delays.push(r.delayMs),
    });
    expect(delays).toEqual([1000]);
  });

  it.each([429, 503])(
    "fails at once, saying why and until when, on a %i whose Retry-After is above the cap",
    async (status) => {
      server.script([{ kind: "status", status, headers: { "retry-after": "86400" } }]);
      const before = server.requests.length;
      const sent = Date.now();
      const err = await fetchUsers({ url: server.url, results: 10, ...fast, maxRetryAfterMs: 300_000 }).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(FetchUsersError);
      const e = err as FetchUsersError;
      expect(server.requests.length - before).toBe(1);
      expect(e.attempts).toBe(1);
      expect(e.retryAt).toBeGreaterThanOrEqual(sent + 86_400_000);
      expect(e.retryAt).toBeLessThanOrEqual(Date.now() + 86_400_000);
      expect(e.message).toContain(`HTTP ${status}`);
      expect(e.message).toContain(
        "asks to wait 86400 s (Retry-After), longer than the 300 s this source waits (RANDOMUSER_MAX_RETRY_AFTER_MS)",
      );
      expect(e.message).toContain(`not calling it again before ${new Date(e.retryAt!).toISOString()}`);
    },
  );

  it("reads a Retry-After given as an HTTP-date", async () => {
    const at = new Date(Date.now() + 3_600_000);
    server.script([{ kind: "status", status: 429, headers: { "retry-after": at.toUTCString() } }]);
    const err = (await fetchUsers({ url: server.url, results: 10, ...fast, maxRetryAfterMs: 60_000 }).catch(
      (e: unknown) => e,
    )) as FetchUsersError;
    // HTTP-dates have whole seconds.
    expect(Math.abs((err.retryAt ?? 0) - at.getTime())).toBeLessThan(1_000);
  });

  it("keeps the server's Retry-After when the last attempt is spent", async () => {
    server.script([
      { kind: "status", status: 500 },
      { kind: "status", status: 503, headers: { "retry-after": "30" } },
    ]);
    const err = (await fetchUsers({ url: server.url, results: 10, ...fast, maxAttempts: 2 }).catch(
      (e: unknown) => e,
    )) as FetchUsersError;
    expect(err.message).toMatch(/HTTP 503 \(after 2 attempts\)/);
    expect(err.retryAt).toBeGreaterThan(Date.now() + 25_000);
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

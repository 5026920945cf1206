import { describe, expect, it } from "vitest";
import { hostnameOf, RequestGuard } from "./request-guard.ts";

const guard = (
  over: Partial<{ WEB_HOST: string; WEB_ALLOWED_HOSTS: string; WEB_ALLOWED_ORIGINS: string }> = {},
) => new RequestGuard({ WEB_HOST: "127.0.0.1", WEB_ALLOWED_HOSTS: "", WEB_ALLOWED_ORIGINS: "", ...over });

describe("RequestGuard", () => {
  it("answers by default for the loopback names and WEB_HOST, with any port", () => {
    const g = guard({ WEB_HOST: "dash.internal" });
    expect(g.hosts).toEqual(["localhost", "127.0.0.1", "[::1]", "dash.internal"]);
    for (const h of [
      "localhost",
      "localhost:3000",
      "127.0.0.1:3000",
      "[::1]:3000",
      "LOCALHOST:80",
      "dash.internal:3000",
    ])
      expect(g.hostAllowed(h), h).toBe(true);
  });

  it.each([
    "evil.example",
    "evil.example:3000",
    "127.0.0.1.evil.example",
    "localhost.evil.example:3000",
    "127.0.0.2:3000",
    "",
    "localhost:3000@evil.example",
    "localhost/evil",
    "[::1",
  ])("refuses the rebinding or malformed Host %j", (h) => {
    expect(guard().hostAllowed(h)).toBe(false);
  });

  it("takes no wildcard listening address for a name, and no Host at all as foreign", () => {
    expect(guard({ WEB_HOST: "0.0.0.0" }).hosts).toEqual(["localhost", "127.0.0.1", "[::1]"]);
    expect(guard().hostAllowed(undefined)).toBe(false);
  });

  it("uses WEB_ALLOWED_HOSTS instead when set: exact names, .domain for it and its subdomains, * for any", () => {
    const g = guard({ WEB_ALLOWED_HOSTS: "dash.example.com, .corp.example,::1" });
    expect(g.hostAllowed("dash.example.com:443")).toBe(true);
    expect(g.hostAllowed("corp.example")).toBe(true);
    expect(g.hostAllowed("a.b.corp.example:3000")).toBe(true);
    expect(g.hostAllowed("[::1]:3000")).toBe(true);
    expect(g.hostAllowed("localhost:3000")).toBe(false);
    expect(g.hostAllowed("evilcorp.example")).toBe(false);
    expect(guard({ WEB_ALLOWED_HOSTS: "*" }).hostAllowed("anything.example")).toBe(true);
  });

  it("lets a live stream open for no Origin, the server's own origin, or a listed one; not for others", () => {
    const g = guard({ WEB_ALLOWED_ORIGINS: "https://ops.example.com/" });
    expect(g.originAllowed(undefined, "127.0.0.1:3000")).toBe(true);
    expect(g.originAllowed("http://127.0.0.1:3000", "127.0.0.1:3000")).toBe(true);
    expect(g.originAllowed("https://ops.example.com", "127.0.0.1:3000")).toBe(true);
    // Rebinding: Origin and Host agree, but the name is not one this server answers for.
    expect(g.originAllowed("http://evil.example:3000", "evil.example:3000")).toBe(false);
    for (const o of [
      "http://evil.example",
      "http://127.0.0.1:4000",
      "null",
      "file://",
      "http://[",
      "ftp://127.0.0.1:3000",
    ])
      expect(g.originAllowed(o, "127.0.0.1:3000"), o).toBe(false);
  });

  it("reads the hostname of a Host header", () => {
    expect(hostnameOf("Example.COM:8080")).toBe("example.com");
    expect(hostnameOf("[::1]:3000")).toBe("[::1]");
    expect(hostnameOf("a b")).toBeNull();
  });
});

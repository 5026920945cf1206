import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { versions } from "./versions.ts";

// stack/versions.ts pins the stack; the Docker path and the setup script name versions of their own. This
// keeps the copies from drifting apart.
const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), "utf8");
const only = (text: string, pattern: RegExp, what: string): string => {
  const found = [...text.matchAll(pattern)].map((m) => m[1]);
  expect(found, what).toHaveLength(1);
  return found[0] ?? "";
};

describe("pinned versions", () => {
  it("docker-compose runs the Kafka and Cassandra of stack/versions.ts", () => {
    const compose = read("docker-compose.yml");
    expect(only(compose, /image:\s*apache\/kafka:(\S+)/g, "kafka image")).toBe(versions.kafka);
    expect(only(compose, /image:\s*cassandra:(\S+)/g, "cassandra image")).toBe(versions.cassandra);
  });

  it("the Dockerfile installs the Bun scripts/setup.sh installs", () => {
    const setup = only(read("scripts/setup.sh"), /^BUN_VERSION=(\S+)$/gm, "setup.sh BUN_VERSION");
    const docker = read("Dockerfile");
    expect(only(docker, /^ARG BUN_VERSION=(\S+)$/gm, "Dockerfile BUN_VERSION")).toBe(setup);
    expect(docker).toMatch(/npm install -g "bun@\$\{BUN_VERSION\}"/);
  });
});

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ConfigSchema, loadConfig } from "./config.ts";

// .env.example is the documentation of every setting and its default; this keeps it true.
const example = readFileSync(new URL("../../.env.example", import.meta.url), "utf8").split("\n");
const assignments = Object.fromEntries(
  example.flatMap((line) => {
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    return m ? [[m[1], m[2]]] : [];
  }),
);

describe(".env.example", () => {
  it("names every setting of the config, set or (when it has no default) commented out", () => {
    for (const key of Object.keys(ConfigSchema.shape)) {
      expect(
        example.some((l) => l.startsWith(`${key}=`) || l.startsWith(`# ${key}=`)),
        key,
      ).toBe(true);
    }
  });

  it("shows the defaults: read as the environment, it gives the same config as an empty one", () => {
    expect(loadConfig(assignments)).toEqual(loadConfig({}));
  });

  it("names no setting twice", () => {
    const keys = example.flatMap((l) => /^(?:# )?([A-Z][A-Z0-9_]*)=/.exec(l)?.[1] ?? []);
    expect(keys.length).toBe(new Set(keys).size);
  });
});

describe("retention settings", () => {
  it("refuses ingestion runs kept for ever: the table is bounded by time", () => {
    expect(() => loadConfig({ CASSANDRA_TTL_RUNS_SECONDS: "0" })).toThrow(/CASSANDRA_TTL_RUNS_SECONDS/);
    expect(loadConfig({}).CASSANDRA_TTL_RUNS_SECONDS).toBe(14 * 86_400);
  });
});

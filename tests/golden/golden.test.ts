import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../common/src/config.ts";
import { computeGolden, fixtureFiles, goldenPath } from "./golden.ts";

describe("golden files", () => {
  const config = loadConfig({});
  it.each(fixtureFiles().map((f) => [basename(f), f]))("%s has an up-to-date golden file", (_, f) => {
    const committed = JSON.parse(readFileSync(goldenPath(f), "utf8"));
    expect(committed).toEqual(JSON.parse(JSON.stringify(computeGolden(f, config))));
  });
});

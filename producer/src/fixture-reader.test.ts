import { readFileSync } from "node:fs";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { userSchema } from "../../common/src/user-schema.ts";
import { readFixture } from "./fixture-reader.ts";
import { mapUser } from "./user-mapping.ts";

const fixture = (name: string) => new URL(`../../fixtures/${name}`, import.meta.url).pathname;
const expected = JSON.parse(readFileSync(fixture("malformed.expected.json"), "utf8")) as {
  good: number;
  bad: { line: number; stage: string; reason: string }[];
};

async function outcomes(name: string) {
  const out: { line: number; stage: string | null; reason: string }[] = [];
  for await (const l of readFixture(fixture(name))) {
    if (!l.ok) {
      out.push({ line: l.line, stage: "parse", reason: l.reason });
      continue;
    }
    const r = mapUser(l.user, l.eventTime, userSchema(1).type);
    out.push(
      r.ok ? { line: l.line, stage: null, reason: "" } : { line: l.line, stage: r.stage, reason: r.reason },
    );
  }
  return out;
}

describe("readFixture on the committed fixtures", () => {
  it("numbers lines from 1, skips blank ones, and pins each bad line of malformed.ndjson", async () => {
    const all = await outcomes("malformed.ndjson");
    const bad = all.filter((o) => o.stage !== null);
    expect(all.filter((o) => o.stage === null)).toHaveLength(expected.good);
    expect(bad.map((b) => ({ line: b.line, stage: b.stage }))).toEqual(
      expected.bad.map((b) => ({ line: b.line, stage: b.stage })),
    );
    bad.forEach((b, i) => {
      expect(b.reason).toContain(expected.bad[i]?.reason);
    });
  });

  it.each(["happy.ndjson", "quirks.ndjson", "disorder.ndjson", "late.ndjson"])(
    "maps every line of %s",
    async (name) => {
      const all = await outcomes(name);
      expect(all.length).toBeGreaterThan(0);
      expect(all.filter((o) => o.stage !== null)).toEqual([]);
    },
  );

  it("reports progress in bytes up to the file size", async () => {
    const seen: number[] = [];
    let total = 0;
    for await (const _ of readFixture(fixture("happy.ndjson"), (p) => {
      seen.push(p.bytesRead);
      total = p.totalBytes;
    }));
    expect(total).toBe(readFileSync(fixture("happy.ndjson")).length);
    expect(Math.max(...seen)).toBeLessThanOrEqual(total);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
  });

  it("accepts CRLF line ends and a byte-order mark, and keeps line numbers across blank lines", async () => {
    const [a, b] = readFileSync(fixture("happy.ndjson"), "utf8").split("\n");
    const file = join(await mkdtemp(join(tmpdir(), "fixture-")), "crlf.ndjson");
    await writeFile(file, `\uFEFF${a}\r\n\r\n${b}\r\n`);
    const lines = [];
    for await (const l of readFixture(file)) lines.push(l);
    expect(lines.map((l) => [l.line, l.ok])).toEqual([
      [1, true],
      [3, true],
    ]);
  });

  it("reads a last line without a newline, and lines split across read chunks", async () => {
    const lines = readFileSync(fixture("happy.ndjson"), "utf8").trim().split("\n");
    const file = join(await mkdtemp(join(tmpdir(), "fixture-")), "big.ndjson");
    // Well over one 1 MiB read chunk, so some line straddles a chunk boundary; no final newline.
    const many = Array.from({ length: 1500 }, (_, i) => lines[i % lines.length]).join("\n");
    await writeFile(file, many);
    let count = 0;
    let last = 0;
    for await (const l of readFixture(file)) {
      expect(l.ok).toBe(true);
      count++;
      last = l.line;
    }
    expect([count, last]).toEqual([1500, 1500]);
  });
});

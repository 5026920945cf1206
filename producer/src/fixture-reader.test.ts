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

  it("accepts a byte-order mark starting any line; refuses a line that is not UTF-8, with the byte offset", async () => {
    const [a, b, c] = readFileSync(fixture("happy.ndjson"), "utf8").split("\n");
    const file = join(await mkdtemp(join(tmpdir(), "fixture-")), "bytes.ndjson");
    const bad = Buffer.from(b ?? "");
    bad[40] = 0xff;
    await writeFile(file, Buffer.concat([Buffer.from(`${a}\n\uFEFF${c}\n`), bad, Buffer.from(`\n${a}\n`)]));
    const lines = [];
    for await (const l of readFixture(file)) lines.push(l);
    expect(lines.map((l) => [l.line, l.ok])).toEqual([
      [1, true],
      [2, true],
      [3, false],
      [4, true],
    ]);
    const refused = lines[2];
    expect(refused?.ok ? "" : refused?.reason).toBe("line 3: not UTF-8 (invalid byte at byte offset 40)");
    expect(refused?.text).toBe(bad.toString("utf8"));
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

  it("rejects a line longer than the cap as a parse error with its line number, and reads on", async () => {
    const [a, b] = readFileSync(fixture("happy.ndjson"), "utf8").split("\n");
    const file = join(await mkdtemp(join(tmpdir(), "fixture-")), "long.ndjson");
    const long = `{"event_time": 1, "user": {"name": "${"x".repeat(5000)}"}}`;
    await writeFile(file, `${a}\n${long}\n${b}\n`);
    const lines = [];
    for await (const l of readFixture(file, undefined, { maxLineBytes: 2000 })) lines.push(l);
    expect(lines.map((l) => [l.line, l.ok])).toEqual([
      [1, true],
      [2, false],
      [3, true],
    ]);
    const bad = lines[1];
    expect(bad?.ok ? "" : bad?.reason).toBe(
      `line 2: longer than 2000 bytes (${long.length} bytes; FIXTURE_MAX_LINE_BYTES), not read; the payload holds its first 4096 bytes`,
    );
    expect(bad?.text).toBe(long.slice(0, 4096));
  });

  it("caps a line that spans many read chunks, and one that ends the file without a newline", async () => {
    const [a] = readFileSync(fixture("happy.ndjson"), "utf8").split("\n");
    const file = join(await mkdtemp(join(tmpdir(), "fixture-")), "huge.ndjson");
    const huge = "y".repeat(3 * 1024 * 1024 + 17);
    await writeFile(file, `${huge}\n${a}\n${huge}`);
    const lines = [];
    let lastProgress = 0;
    for await (const l of readFixture(file, (p) => (lastProgress = p.bytesRead))) lines.push(l);
    expect(lines.map((l) => [l.line, l.ok])).toEqual([
      [1, false],
      [2, true],
      [3, false],
    ]);
    for (const l of [lines[0], lines[2]]) {
      expect(l?.ok ? "" : l?.reason).toMatch(
        /longer than 1048576 bytes \(3145745 bytes; FIXTURE_MAX_LINE_BYTES\)/,
      );
      expect(l?.text).toBe("y".repeat(4096));
    }
    expect(lastProgress).toBe(readFileSync(file).length);
  });

  it("accepts a line exactly at the cap", async () => {
    const [a] = readFileSync(fixture("happy.ndjson"), "utf8").split("\n");
    const file = join(await mkdtemp(join(tmpdir(), "fixture-")), "exact.ndjson");
    await writeFile(file, `${a}\n`);
    const lines = [];
    for await (const l of readFixture(file, undefined, { maxLineBytes: Buffer.byteLength(a ?? "") }))
      lines.push(l);
    expect(lines.map((l) => l.ok)).toEqual([true]);
  });
});

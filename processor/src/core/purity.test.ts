import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// The core must run unchanged under Node, Bun and a browser and take time only from its caller.
const dir = dirname(fileURLToPath(import.meta.url));
const sources = readdirSync(dir).filter(
  (f) => f.endsWith(".ts") && !/\.test(-util)?\.ts$|\.test\.ts$/.test(f),
);

describe("core purity", () => {
  it("finds the core's sources", () => {
    expect(sources).toEqual(
      expect.arrayContaining([
        "engine.ts",
        "partition-state.ts",
        "ring-buffer.ts",
        "watermark.ts",
        "snapshot.ts",
        "reference.ts",
      ]),
    );
  });

  it.each(sources)("%s imports only sibling core files", (file) => {
    const text = readFileSync(join(dir, file), "utf8");
    const specifiers = [
      ...text.matchAll(/(?:import|export)\s[^"';]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']/g),
    ].map((m) => m[1] ?? m[2]);
    for (const s of specifiers) expect(s, `${file} imports ${s}`).toMatch(/^\.\/[a-z-]+\.ts$/);
  });

  it.each(sources)("%s uses no runtime-specific API, clock or randomness", (file) => {
    const code = readFileSync(join(dir, file), "utf8").replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, "");
    for (const banned of [
      /\bBuffer\b/,
      /\bprocess\./,
      /\bDate\.now\b/,
      /\bnew Date\b/,
      /\bperformance\./,
      /\bMath\.random\b/,
      /\brequire\(/,
      /\bBun\./,
      /\bDeno\./,
      /\bsetTimeout\b/,
      /\bsetInterval\b/,
    ]) {
      expect(code, `${file} uses ${banned}`).not.toMatch(banned);
    }
  });
});

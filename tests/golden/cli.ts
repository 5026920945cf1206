import { writeFileSync } from "node:fs";
import { basename, resolve } from "node:path";
import { parseCommandLine, usageError } from "../../common/src/command-line.ts";
import { loadConfig } from "../../common/src/config.ts";
import { checkFixture } from "./check.ts";
import { computeGolden, fixtureFiles, goldenPath } from "./golden.ts";

// `bun run golden write` recomputes fixtures/*.golden.json with the reference;
// `bun run golden check [fixture…]` replays each fixture through the real pipeline and diffs the
// API's final windows against its golden file (needs `bun run stack up`).
const USAGE = `usage: bun run golden [write|check] [fixture.ndjson…]
  write  recompute each fixture's golden file (fixtures/*.golden.json) with the reference windowing
  check  (the default) replay each fixture through its own processor and web tier, in topics and
         a keyspace of its own, and diff the API's final windows against its golden file; needs
         the stack (\`bun run stack up\`)
With no fixture named, every fixtures/*.ndjson.`;
const { positionals } = parseCommandLine(USAGE, { allowPositionals: true });
const [cmd = "check", ...names] = positionals;
const files = names.length ? names.map((n) => resolve(n)) : fixtureFiles();

if (cmd === "write") {
  const config = loadConfig();
  for (const f of files) {
    const g = computeGolden(f, config);
    writeFileSync(goldenPath(f), `${JSON.stringify(g, null, 1)}\n`);
    console.log(
      `${basename(goldenPath(f))}: ${g.windows.length} windows from ${g.events} events (${g.lateEvents} late)`,
    );
  }
} else if (cmd === "check") {
  let failed = 0;
  for (const f of files) {
    const r = await checkFixture(f);
    const ok = r.diff.length === 0 && r.allFinal;
    if (!ok) failed++;
    console.log(
      `${ok ? "ok  " : "FAIL"} ${r.fixture}: sent ${r.sent}, rejected ${r.rejected}${r.allFinal ? "" : ", not all final"}`,
    );
    for (const d of r.diff.slice(0, 20)) console.log(`     ${d}`);
    if (r.diff.length > 20) console.log(`     … ${r.diff.length - 20} more differences`);
  }
  console.log(`golden: ${files.length - failed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
} else {
  usageError(USAGE, `unknown command '${cmd}'`);
}

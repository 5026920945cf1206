import { writeFileSync } from "node:fs";
import { basename, resolve } from "node:path";
import { parseCommandLine, usageError } from "../../common/src/command-line.ts";
import { loadConfig } from "../../common/src/config.ts";
import { checkGolden } from "./check.ts";
import { computeGolden, fixtureFiles, goldenCases } from "./golden.ts";

// `bun run golden write` recomputes fixtures/*.golden.json with the reference;
// `bun run golden check [fixture…]` replays each fixture through the real pipeline and diffs the
// API's final windows against its golden file (needs `bun run stack up`).
const USAGE = `usage: bun run golden [write|check] [fixture.ndjson…]
  write  recompute each fixture's golden files with the reference windowing: fixtures/*.golden.json
         under the configuration, and fixtures/*.<variant>.golden.json under each configuration of
         GOLDEN_VARIANTS (tests/golden/golden.ts) that names the fixture
  check  (the default) replay each fixture through its own processor and web tier, in topics and
         a keyspace of its own, configured as each of its golden files says, and diff the API's
         final windows against it; needs the stack (\`bun run stack up\`)
With no fixture named, every fixtures/*.ndjson.`;
const { positionals } = parseCommandLine(USAGE, { allowPositionals: true });
const [cmd = "check", ...names] = positionals;
const files = names.length ? names.map((n) => resolve(n)) : fixtureFiles();

const cases = goldenCases(files);
if (cmd === "write") {
  for (const c of cases) {
    const g = computeGolden(c.fixture, loadConfig({ ...process.env, ...c.env }), c.variant);
    writeFileSync(c.path, `${JSON.stringify(g, null, 1)}\n`);
    console.log(
      `${basename(c.path)}: ${g.windows.length} windows from ${g.events} events (${g.lateEvents} late${g.partlyLateEvents ? `, ${g.partlyLateEvents} partly late` : ""})`,
    );
  }
} else if (cmd === "check") {
  let failed = 0;
  for (const c of cases) {
    const r = await checkGolden(c.path);
    const ok = r.diff.length === 0 && r.allFinal;
    if (!ok) failed++;
    console.log(
      `${ok ? "ok  " : "FAIL"} ${basename(c.path)}: sent ${r.sent}, rejected ${r.rejected}${r.allFinal ? "" : ", not all final"}`,
    );
    for (const d of r.diff.slice(0, 20)) console.log(`     ${d}`);
    if (r.diff.length > 20) console.log(`     … ${r.diff.length - 20} more differences`);
  }
  console.log(`golden: ${cases.length - failed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
} else {
  usageError(USAGE, `unknown command '${cmd}'`);
}

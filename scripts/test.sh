#!/usr/bin/env bash
# Every test: type check, lint, unit tests, then the tests against the real Kafka, registry and
# Cassandra. Starts the stack when it is not up, and stops it afterwards only in that case.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p test-results

bun run typecheck || exit 1
bun run lint || exit 1

started=0
if ! node --import tsx stack/cli.ts status >/dev/null 2>&1; then
  node --import tsx stack/cli.ts up || exit 1
  started=1
fi
cleanup() { if [ "$started" = 1 ]; then node --import tsx stack/cli.ts down; fi; }
trap cleanup EXIT

# The cluster suite needs the 3-node cluster: `bun run test:cluster` (scripts/test-cluster.sh).
npx vitest run --project unit --project integration --reporter=default --reporter=json --outputFile=test-results/vitest.json "$@"
rc=$?
node -e '
  const r = JSON.parse(require("fs").readFileSync("test-results/vitest.json", "utf8"));
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
' || rc=1
exit $rc

#!/usr/bin/env bash
# Every test: type check, lint, unit tests, the tests against the real Kafka, registry and
# Cassandra, then the 3-node chaos suite. Starts the stack when it is not up, and stops it afterwards
# only in that case.
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

rm -f test-results/vitest.json test-results/vitest-cluster.json
npx vitest run --project unit --project integration --reporter=default --reporter=json --outputFile=test-results/vitest.json "$@"
rc=$?

# The 3-node chaos suite runs after the others, not beside them: it kills brokers and Cassandra nodes
# of its own cluster (127.0.0.2-.4) and needs the cores to itself to finish in time. Arguments given
# to this script select single-node tests, so the cluster suite then runs only when asked for.
if [ "${TEST_CLUSTER:-$([ $# -eq 0 ] && echo 1 || echo 0)}" = 1 ]; then
  bash scripts/test-cluster.sh --reporter=json --outputFile=test-results/vitest-cluster.json || rc=1
fi

node -e '
  const fs = require("fs");
  const runs = ["test-results/vitest.json", "test-results/vitest-cluster.json"].filter((f) => fs.existsSync(f));
  const sum = (k) => runs.reduce((n, f) => n + JSON.parse(fs.readFileSync(f, "utf8"))[k], 0);
  const skipped = sum("numPendingTests") + sum("numTodoTests");
  console.log(`tests: ${sum("numPassedTests")} passed, ${sum("numFailedTests")} failed` + (skipped ? `, ${skipped} skipped` : ""));
' || rc=1
exit $rc

#!/usr/bin/env bash
# The cluster suite: the local 3-node cluster (stack/cluster.env) under chaos. Starts the cluster when
# it is not up, and stops it afterwards only in that case. The single-node stack is not touched.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p test-results

started=0
if ! node --import tsx stack/cli.ts status --nodes 3 >/dev/null 2>&1; then
  node --import tsx stack/cli.ts up --nodes 3 || exit 1
  started=1
fi
cleanup() { if [ "$started" = 1 ]; then node --import tsx stack/cli.ts down --nodes 3; fi; }
trap cleanup EXIT

npx vitest run --project cluster --reporter=default "$@"

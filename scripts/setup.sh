#!/usr/bin/env bash
# Installs everything a fresh machine lacks: the system libraries librdkafka's binding links
# against, Bun, and the project's packages. Safe to run again: each step checks first.
set -euo pipefail
cd "$(dirname "$0")/.."

need_pkgs=(libcurl4-openssl-dev libssl-dev libsasl2-dev zlib1g-dev libzstd-dev liblz4-dev g++ make python3)
if [ "${SETUP_BROWSER:-1}" = "1" ]; then need_pkgs+=(chromium); fi
missing=()
for p in "${need_pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

for tool in node java mvn; do
  command -v "$tool" >/dev/null || { echo "setup: $tool is required (Node 20+, Java 17+, Maven)" >&2; exit 1; }
done

BUN_VERSION=1.4.5
if ! command -v bun >/dev/null || [ "$(bun --version)" != "$BUN_VERSION" ]; then
  echo "setup: installing bun@$BUN_VERSION"
  npm install -g "bun@$BUN_VERSION" >/dev/null
fi

# The Kafka binding uses V8's C++ API and builds from source against the system libraries.
export CKJS_LINKING=dynamic
export npm_config_nodedir="${npm_config_nodedir:-/usr}"
if [ ! -f node_modules/@confluentinc/kafka-javascript/build/Release/confluent-kafka-javascript.node ] \
   || [ package.json -nt node_modules/.setup-stamp ]; then
  echo "setup: bun install (the Kafka binding compiles: about a minute)"
  bun install
  touch node_modules/.setup-stamp
fi
echo "setup: ok"

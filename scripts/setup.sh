#!/usr/bin/env bash
# Installs everything a fresh Debian-like machine lacks: the system libraries librdkafka's binding links
# against, a Java runtime (17+) and Maven for the local stack, Bun, and the project's packages.
# Safe to run again: each step checks first and does nothing when what it needs is there.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
apt_updated=0
apt_refresh() {
  if [ "$apt_updated" = 0 ]; then $SUDO apt-get update -qq; apt_updated=1; fi
}
apt_install() {
  echo "setup: installing Debian packages: $*"
  apt_refresh
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# kubectl renders the Kubernetes manifests (deploy/k8s) for their offline validation; prometheus: promtool
# tests the alert rules (bun run test), and `stack up --with-prometheus` runs it.
need_pkgs=(libcurl4-openssl-dev libssl-dev libsasl2-dev zlib1g-dev libzstd-dev liblz4-dev g++ make python3 kubectl prometheus)
if [ "${SETUP_BROWSER:-1}" = "1" ]; then need_pkgs+=(chromium); fi
missing=()
for p in "${need_pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then apt_install "${missing[@]}"; fi

# "a.b.c" >= "x.y" by numeric components (sort -V), for the version checks below.
version_at_least() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -1)" = "$2" ]; }

# Node is not installed here: Debian's own is too old, and users pick theirs (nvm, NodeSource, asdf...).
node_min="$(sed -n 's/.*"node": *">=\([0-9.]*\)".*/\1/p' package.json)"
if ! command -v node >/dev/null; then
  echo "setup: Node $node_min or later is required (package.json engines); install it and run again" >&2
  exit 1
fi
node_version="$(node --version | sed 's/^v//')"
if ! version_at_least "$node_version" "$node_min"; then
  echo "setup: Node $node_version found; $node_min or later is required (package.json engines)" >&2
  exit 1
fi

JAVA_MIN=17
java_major() {
  # `java -version` prints e.g. openjdk version "17.0.15" (or "1.8.0_412" before Java 9) on stderr.
  local v
  v="$(java -version 2>&1 | sed -n 's/.* version "\([^"]*\)".*/\1/p' || true)"
  case "$v" in 1.*) v="${v#1.}" ;; esac
  echo "${v%%[!0-9]*}"
}
java_ok() {
  command -v java >/dev/null || return 1
  local major
  major="$(java_major)"
  [ -n "$major" ] && [ "$major" -ge "$JAVA_MIN" ]
}
if ! java_ok; then
  # The first Java runtime of at least 17 this release of Debian packages.
  apt_refresh
  jre=""
  for candidate in openjdk-17-jre-headless openjdk-21-jre-headless openjdk-25-jre-headless; do
    if apt-cache show "$candidate" >/dev/null 2>&1; then jre="$candidate"; break; fi
  done
  if [ -z "$jre" ]; then
    echo "setup: Java $JAVA_MIN+ is required and apt has no openjdk-17/21/25-jre-headless; install one" >&2
    exit 1
  fi
  apt_install "$jre"
  hash -r
  if ! java_ok; then
    echo "setup: installed $jre, but java on PATH is still: $(java -version 2>&1 | head -n 1)." \
      "Make Java $JAVA_MIN+ the default: sudo update-alternatives --config java" >&2
    exit 1
  fi
fi

if ! command -v mvn >/dev/null; then
  apt_install maven
  hash -r
fi

BUN_VERSION=1.4.5
if ! command -v bun >/dev/null || [ "$(bun --version)" != "$BUN_VERSION" ]; then
  echo "setup: installing bun@$BUN_VERSION"
  npm install -g "bun@$BUN_VERSION" >/dev/null
fi

# The Kafka binding uses V8's C++ API and builds from source against the system libraries.
export CKJS_LINKING=dynamic
export npm_config_nodedir="${npm_config_nodedir:-/usr}"
if [ ! -f node_modules/@confluentinc/kafka-javascript/build/Release/confluent-kafka-javascript.node ] \
   || [ -n "$(find package.json bun.lock patches -newer node_modules/.setup-stamp 2>/dev/null | head -1)" ] \
   || [ ! -f node_modules/.setup-stamp ]; then
  echo "setup: bun install (the Kafka binding compiles: about a minute)"
  bun install
  touch node_modules/.setup-stamp
fi
maven_version="$(mvn -v 2>/dev/null | sed -n '1s/\x1b\[[0-9;]*m//gp' || true)"
echo "setup: ok (Node $node_version, Java $(java_major), ${maven_version:-Maven}, Bun $(bun --version))"

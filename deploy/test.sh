#!/usr/bin/env bash
# Runs every test: unit, in-JVM Raft clusters, and (as root) real containers and the
# network-namespace test bed. Tests that need root skip loudly when not root.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/deploy/install-deps.sh"
cd "$root"
mvn -B -ntp install
"$root/deploy/package-selftest.sh"   # the release archive: contents, launchers, install.sh
if [[ $(id -u) -eq 0 ]]; then
  "$root/deploy/testbed/selftest.sh"
else
  echo "*** SKIPPED: testbed self-test needs root ***" >&2
fi

#!/usr/bin/env bash
# Runs every test: unit, in-JVM Raft clusters, and (as root) real containers and the
# network-namespace test bed. Tests that need root skip loudly when not root.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/deploy/install-deps.sh"
cd "$root"
mvn -B -ntp install
"$root/deploy/bin/orch-fuzz" 1          # a short coverage-guided fuzzing round per untrusted input
"$root/deploy/package-selftest.sh"   # the release archive: contents, launchers, install.sh
if [[ $(id -u) -eq 0 ]]; then
  "$root/deploy/testbed/selftest.sh"
  # A short fault campaign (5 runs, about 3 minutes): faults injected under load, then every
  # run's history checked; a failed run keeps its history and logs in target/fault-campaign.
  "$root/deploy/bin/orch-faults" --seed "${ORCH_FAULTS_SEED:-1}" --runs 5 \
    --keep-failed "$root/system-tests/target/fault-campaign"
else
  echo "*** SKIPPED: testbed self-test and fault campaign need root ***" >&2
fi

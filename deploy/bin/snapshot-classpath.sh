#!/usr/bin/env bash
# Copies the built jars of orchd and of the benchmarks into DIR and prints two lines:
# ORCHD_CLASSPATH=... and BENCH_CLASSPATH=... . Benchmarks run from such a copy, so that a rebuild
# while they run cannot change the code of a running cluster.
#   deploy/bin/snapshot-classpath.sh DIR
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
dir=$1
mkdir -p "$dir/orchd" "$dir/bench"
copy() { # target-dir, classpath entries...
  local out=() f
  for f in "${@:2}"; do cp "$f" "$1/"; out+=("$1/$(basename "$f")"); done
  local IFS=:; echo "${out[*]}"
}
mjar=$(ls "$root"/manager/target/orch-manager-*.jar | grep -v -- '-tests.jar' | head -n1)
bjar=$(ls "$root"/system-tests/target/orch-system-tests-*.jar | grep -v -- '-tests.jar' | head -n1)
IFS=: read -ra mcp <<<"$(cat "$root/manager/target/classpath.txt")"
IFS=: read -ra bcp <<<"$(cat "$root/system-tests/target/classpath.txt")"
echo "ORCHD_CLASSPATH=$(copy "$dir/orchd" "$mjar" "${mcp[@]}")"
echo "BENCH_CLASSPATH=$(copy "$dir/bench" "$bjar" "${bcp[@]}")"

#!/usr/bin/env bash
# Copies the built jars into DIR and prints ORCHD_CLASSPATH=..., CTL_CLASSPATH=... and, once the
# benchmarks are packaged, BENCH_CLASSPATH=... . Benchmarks and test-bed tests run from such a copy,
# so that a rebuild while they run cannot change the code of a running cluster.
#   deploy/bin/snapshot-classpath.sh DIR
set -euo pipefail
shopt -s inherit_errexit
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
dir=$1
copy() { # name, module jar, classpath file
  local out=() f entries
  mkdir -p "$dir/$1"
  IFS=: read -ra entries <<<"$(cat "$3")"
  for f in "$2" "${entries[@]}"; do
    cp "$f" "$dir/$1/" || { echo "snapshot-classpath: cannot copy $f; rebuild with mvn -q -DskipTests install" >&2; exit 2; }
    out+=("$dir/$1/$(basename "$f")")
  done
  local IFS=:; echo "${out[*]}"
}
module_jar() { ls "$root/$1"/target/orch-*.jar 2>/dev/null | grep -v -- '-tests.jar' | head -n1 || true; }
for m in manager ctl; do
  [[ -n "$(module_jar $m)" && -f "$root/$m/target/classpath.txt" ]] || { echo "snapshot-classpath: $m is not built; run mvn -q -DskipTests install" >&2; exit 2; }
done
# Assignments, so that a failed copy stops the script (set -e ignores failures inside echo's arguments).
orchd_cp=$(copy orchd "$(module_jar manager)" "$root/manager/target/classpath.txt")
ctl_cp=$(copy ctl "$(module_jar ctl)" "$root/ctl/target/classpath.txt")
echo "ORCHD_CLASSPATH=$orchd_cp"
echo "CTL_CLASSPATH=$ctl_cp"
if [[ -n "$(module_jar system-tests)" && -f "$root/system-tests/target/classpath.txt" ]]; then
  bench_cp=$(copy bench "$(module_jar system-tests)" "$root/system-tests/target/classpath.txt")
  echo "BENCH_CLASSPATH=$bench_cp"
fi

#!/usr/bin/env bash
# Builds the release archive for real machines: deploy/package.sh [OUT_DIR]  (default: target/)
#
#   OUT_DIR/orch-<version>-linux-<arch>.tar.gz
#     orch-<version>/bin/orchd, bin/orchctl    launchers running lib/*.jar with java from JAVA_HOME or PATH
#     orch-<version>/lib/*.jar                 the manager and ctl runtime classpaths, one jar per artifact
#     orch-<version>/systemd/orchd.service     the unit install.sh puts in /etc/systemd/system
#     orch-<version>/install.sh                installs to /opt/orch on one machine
#     orch-<version>/docs/                     docs/ and README.md
#
# Packages the jars of the last `mvn install` (and runs it when they are missing). The archive is
# deterministic: sorted entries, numeric owner 0, modes 0644/0755, every mtime set to
# $SOURCE_DATE_EPOCH (default: the time of the last commit), gzip without name or time; packaging
# the same build twice gives the same bytes.
set -euo pipefail
export LC_ALL=C
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
out="${1:-$root/target}"
templates="$root/deploy/packaging"

die() { echo "package: error: $*" >&2; exit 1; }

# The project's own version: the first <version> of the root pom outside <parent>.
version="$(sed -e '/<parent>/,/<\/parent>/d' "$root/pom.xml" \
  | sed -n 's:.*<version>\([^<]*\)</version>.*:\1:p' | head -n1)"
[[ -n "$version" ]] || die "no <version> in $root/pom.xml"
case "$(uname -m)" in
  x86_64) arch=amd64 ;;
  aarch64) arch=arm64 ;;
  *) arch="$(uname -m)" ;;
esac
name="orch-$version"
archive="$name-linux-$arch.tar.gz"

manager_jar="$root/manager/target/orch-manager-$version.jar"
ctl_jar="$root/ctl/target/orch-ctl-$version.jar"
cp_files=("$root/manager/target/classpath.txt" "$root/ctl/target/classpath.txt")

# Every jar of both runtime classpaths, the module jars first.
classpath_jars() {
  echo "$manager_jar"
  echo "$ctl_jar"
  local f
  for f in "${cp_files[@]}"; do
    [[ -f "$f" ]] || continue
    { tr ':' '\n' <"$f"; echo; } | sed '/^$/d'
  done
}
built() {
  local j
  [[ -f "${cp_files[0]}" && -f "${cp_files[1]}" ]] || return 1
  while read -r j; do [[ -f "$j" ]] || return 1; done < <(classpath_jars)
}
if ! built; then
  echo "package: jars missing; running mvn -q -DskipTests install in $root" >&2
  (cd "$root" && mvn -q -B -DskipTests install)
  built || die "the build did not produce $manager_jar, $ctl_jar and every jar of their classpath.txt"
fi

# One jar per artifact: where the two classpaths hold different versions of an artifact (an
# annotations jar, typically), the newest wins, so that lib/*.jar never holds two copies.
declare -A best_path=() best_version=() best_group=()
while read -r jar; do
  [[ "$jar" == *.jar && -f "$jar" ]] || die "classpath entry $jar is not a jar file"
  file="$(basename "$jar")"
  vdir="$(dirname "$jar")"; v="$(basename "$vdir")"
  adir="$(dirname "$vdir")"; a="$(basename "$adir")"
  if [[ "$file" == "$a-$v.jar" || "$file" == "$a-$v-"*.jar ]]; then
    rest="${file#"$a-$v"}"                # "" or "-classifier.jar" after the version
    key="$a${rest%.jar}" group="$(dirname "$adir")"
  elif [[ "$file" == *"-$version.jar" ]]; then
    key="${file%"-$version.jar"}" v="$version" group=""   # a module jar in a target/ dir
  else
    die "cannot tell the artifact and version of $jar"
  fi
  if [[ -z "${best_path[$key]:-}" ]]; then
    best_path[$key]="$jar" best_version[$key]="$v" best_group[$key]="$group"
    continue
  fi
  if [[ -n "$group" && -n "${best_group[$key]}" && "$group" != "${best_group[$key]}" ]]; then
    die "two artifacts named $key: $jar and ${best_path[$key]}"
  fi
  if [[ "$v" == "${best_version[$key]}" ]]; then continue; fi
  newest="$(printf '%s\n%s\n' "$v" "${best_version[$key]}" | sort -V | tail -n1)"
  echo "package: $key: versions ${best_version[$key]} and $v on the classpaths; packaging $newest" >&2
  if [[ "$newest" == "$v" ]]; then
    best_path[$key]="$jar" best_version[$key]="$v"
    if [[ -n "$group" ]]; then best_group[$key]="$group"; fi
  fi
done < <(classpath_jars)

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
top="$stage/$name"
mkdir -p "$top/bin" "$top/lib" "$top/systemd" "$top/docs"
for key in "${!best_path[@]}"; do
  jar="${best_path[$key]}"
  [[ ! -e "$top/lib/$(basename "$jar")" ]] || die "two jars named $(basename "$jar")"
  cp "$jar" "$top/lib/"
done
cp "$templates/bin/orchd" "$templates/bin/orchctl" "$top/bin/"
cp "$templates/systemd/orchd.service" "$top/systemd/"
cp "$templates/install.sh" "$top/"
cp -R "$root/docs/." "$top/docs/"
cp "$root/README.md" "$top/docs/README.md"

find "$top" -type d -exec chmod 0755 {} +
find "$top" -type f -exec chmod 0644 {} +
chmod 0755 "$top/bin/orchd" "$top/bin/orchctl" "$top/install.sh"

epoch="${SOURCE_DATE_EPOCH:-$(git -C "$root" log -1 --format=%ct 2>/dev/null || echo 0)}"
mkdir -p "$out"
tmp="$out/.$archive.tmp"
tar --sort=name --format=gnu --mtime="@$epoch" --owner=0 --group=0 --numeric-owner \
  -C "$stage" -cf - "$name" | gzip -9 -n >"$tmp"
mv "$tmp" "$out/$archive"
out_abs="$(cd "$out" && pwd)"
echo "package: $out_abs/$archive ($(stat -c %s "$out/$archive") bytes, ${#best_path[@]} jars)"

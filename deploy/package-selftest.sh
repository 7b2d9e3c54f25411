#!/usr/bin/env bash
# Tests deploy/package.sh: builds the release archive twice (same bytes), checks its contents,
# runs bin/orchctl --version and bin/orchd --help from an unpacked copy (directly, through a
# symlink, and from another directory), and runs install.sh into a scratch root.
# Exits non-zero with a message on the first failure. Needs no root.
set -euo pipefail
export LC_ALL=C
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

fail() { echo "package-selftest: FAIL: $*" >&2; exit 1; }
ok() { echo "package-selftest: ok: $*"; }

# --- build twice: the same build gives the same bytes ---------------------------------------
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git -C "$root" log -1 --format=%ct 2>/dev/null || echo 0)}"
"$root/deploy/package.sh" "$work/a" >"$work/package.log" 2>&1 || { cat "$work/package.log" >&2; fail "deploy/package.sh failed"; }
"$root/deploy/package.sh" "$work/b" >>"$work/package.log" 2>&1 || { cat "$work/package.log" >&2; fail "deploy/package.sh failed (second run)"; }
shopt -s nullglob
archives=("$work"/a/orch-*-linux-*.tar.gz)
shopt -u nullglob
(( ${#archives[@]} == 1 )) || fail "expected one orch-<version>-linux-<arch>.tar.gz in $work/a, found ${#archives[@]}"
archive="${archives[0]}"
file="$(basename "$archive")"
version="${file#orch-}"; version="${version%-linux-*}"
top="orch-$version"
[[ -f "$work/b/$file" ]] || fail "second run did not write $file"
cmp -s "$archive" "$work/b/$file" || fail "two runs on the same build gave different bytes"
ok "$file, $(stat -c %s "$archive") bytes, identical on a second run"

# --- contents --------------------------------------------------------------------------------
tar -tzf "$archive" >"$work/list" || fail "$file is not a readable tar.gz"
tar -tvzf "$archive" >"$work/long"
sort -c "$work/list" 2>/dev/null || fail "entries are not sorted by name"
grep -qv "^$top/" "$work/list" && fail "entries outside $top/: $(grep -v "^$top/" "$work/list" | head -n3)"
for p in bin/orchd bin/orchctl install.sh systemd/orchd.service docs/README.md docs/operations.md \
    docs/user-guide.md "lib/orch-manager-$version.jar" "lib/orch-ctl-$version.jar" \
    "lib/orch-worker-agent-$version.jar" "lib/orch-proto-$version.jar"; do
  grep -qx "$top/$p" "$work/list" || fail "missing $top/$p"
done
for p in bin/orchd bin/orchctl install.sh; do
  grep -q "^-rwxr-xr-x 0/0 .* $top/$p\$" "$work/long" || fail "$p is not mode 0755 owned by 0/0"
done
awk '{print $2}' "$work/long" | grep -qvx '0/0' && fail "entries not owned by 0/0"
[[ $(awk '{print $4, $5}' "$work/long" | sort -u | wc -l) -eq 1 ]] || fail "entries have different mtimes"
grep -qi 'license\|copying' "$work/list" && fail "unexpected license file: $(grep -i 'license\|copying' "$work/list")"
grep "^$top/lib/." "$work/list" | grep -qv '\.jar$' && fail "non-jar files in lib/"
# One jar per artifact, and every artifact of both runtime classpaths present.
sed -n "s:^$top/lib/\(.*\)\.jar\$:\1:p" "$work/list" >"$work/jars"
sed 's/-[0-9][^-]*\(-SNAPSHOT\|-android\|-jre\|-Final\)\{0,1\}$//' "$work/jars" | sort | uniq -d >"$work/dups"
[[ ! -s "$work/dups" ]] || fail "several versions of: $(tr '\n' ' ' <"$work/dups")"
for cp in manager ctl; do
  f="$root/$cp/target/classpath.txt"
  [[ -f "$f" ]] || fail "$f missing after packaging"
  while read -r j; do
    [[ -n "$j" ]] || continue
    a="$(basename "$(dirname "$(dirname "$j")")")"
    n="$(basename "$j" .jar)"
    grep -qx "$n" "$work/jars" || grep -q "^$a-[0-9]" "$work/jars" || fail "lib/ lacks $(basename "$j") of the $cp classpath"
  done < <({ tr ':' '\n' <"$f"; echo; })
done
ok "contents: $(wc -l <"$work/jars") jars, launchers, unit, install.sh, docs; 0/0 owner, one mtime, no duplicates"

# --- the systemd unit ------------------------------------------------------------------------
tar -xzf "$archive" -C "$work" "$top/systemd/orchd.service"
unit="$work/$top/systemd/orchd.service"
for line in 'Type=simple' 'ExecStart=/opt/orch/bin/orchd run --data-dir /var/lib/orch' 'Restart=on-failure' \
    'KillMode=process' 'Delegate=yes' 'LimitNOFILE=1048576' 'TasksMax=infinity' \
    'After=network-online.target' 'WantedBy=multi-user.target'; do
  grep -qx "$line" "$unit" || fail "orchd.service lacks '$line'"
done
ok "systemd/orchd.service"

# --- run the launchers from an unpacked copy -------------------------------------------------
mkdir -p "$work/unpacked" "$work/links" "$work/elsewhere"
tar -xzf "$archive" -C "$work/unpacked"
home="$work/unpacked/$top"
out="$("$home/bin/orchctl" --version 2>&1)" || fail "bin/orchctl --version failed: $out"
[[ "$out" == *"$version"* ]] || fail "bin/orchctl --version printed '$out', not the version $version"
out="$("$home/bin/orchd" --help 2>&1)" || fail "bin/orchd --help failed: $out"
[[ "$out" == *"Usage: orchd"* && "$out" == *init* && "$out" == *join* && "$out" == *run* ]] \
  || fail "bin/orchd --help printed: $out"
ok "bin/orchctl --version ($version) and bin/orchd --help"
ln -s "$home/bin/orchctl" "$work/links/orchctl"
ln -s "$home/bin/orchd" "$work/links/orchd"
out="$(cd "$work/elsewhere" && "$work/links/orchctl" --version 2>&1)" || fail "orchctl through a symlink failed: $out"
[[ "$out" == *"$version"* ]] || fail "orchctl through a symlink printed '$out'"
out="$(cd "$work/elsewhere" && "$work/links/orchd" --help 2>&1)" || fail "orchd through a symlink failed: $out"
ok "launchers through a symlink from another directory"
if out="$(JAVA_HOME="$work/no-such-jdk" "$home/bin/orchctl" --version 2>&1)"; then
  fail "orchctl ran with JAVA_HOME pointing nowhere: $out"
fi
[[ "$out" == *"java not found"* ]] || fail "orchctl with a bad JAVA_HOME printed: $out"
ok "launchers use \$JAVA_HOME"

# --- install.sh into a scratch root, twice (the second is an upgrade) ------------------------
dest="$work/root"
for round in 1 2; do
  out="$("$home/install.sh" --root "$dest" --skip-deps 2>&1)" || fail "install.sh --root (round $round) failed: $out"
done
[[ -x "$dest/opt/orch/bin/orchd" && -x "$dest/opt/orch/bin/orchctl" ]] || fail "install.sh did not fill /opt/orch/bin"
[[ $(readlink "$dest/usr/local/bin/orchd") == /opt/orch/bin/orchd ]] || fail "/usr/local/bin/orchd is not a link to /opt/orch/bin/orchd"
[[ $(readlink "$dest/usr/local/bin/orchctl") == /opt/orch/bin/orchctl ]] || fail "/usr/local/bin/orchctl is not a link to /opt/orch/bin/orchctl"
cmp -s "$unit" "$dest/etc/systemd/system/orchd.service" || fail "install.sh did not install the unit"
[[ ! -e "$dest/opt/orch.old" && ! -e "$dest/opt/orch.new" ]] || fail "install.sh left /opt/orch.old or /opt/orch.new"
diff -r "$home" "$dest/opt/orch" >/dev/null || fail "/opt/orch differs from the archive"
out="$("$dest/opt/orch/bin/orchctl" --version 2>&1)" || fail "installed orchctl --version failed: $out"
[[ "$out" == *"$version"* ]] || fail "installed orchctl --version printed '$out'"
[[ "$("$home/install.sh" --root "$dest" --skip-deps 2>&1)" == *"systemctl enable --now orchd"* ]] \
  || fail "install.sh does not say how to start the service"
ok "install.sh --root: /opt/orch, /usr/local/bin links, unit; reinstall replaces cleanly"

echo "package-selftest: PASS ($file, $(stat -c %s "$archive") bytes)"

#!/usr/bin/env bash
# Installs this unpacked orch release on one machine:
#   /opt/orch                             bin/, lib/, systemd/, docs/ of this archive
#   /usr/local/bin/orchd, orchctl         links to /opt/orch/bin
#   /etc/systemd/system/orchd.service     the unit (not enabled: initialise the node first)
# It checks for Java 17+ and the tools orchd runs (ip, nsenter, nft) and offers to install
# the missing Debian/Ubuntu packages with apt-get. Run it again to upgrade (stop orchd first).
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: sudo ./install.sh [--yes] [--skip-deps] [--root DIR]
  --yes        install missing packages with apt-get without asking
  --skip-deps  do not check Java and the packages orchd needs
  --root DIR   install below DIR instead of / (for packaging and tests: no systemctl, no root needed)
USAGE
}

yes=0 skip_deps=0 root=""
while (( $# )); do
  case "$1" in
    -y|--yes) yes=1 ;;
    --skip-deps) skip_deps=1 ;;
    --root) [[ $# -ge 2 ]] || { usage >&2; exit 2; }; root="${2%/}"; shift ;;
    --root=*) root="${1#--root=}"; root="${root%/}" ;;
    -h|--help) usage; exit 0 ;;
    *) echo "install.sh: error: unknown argument $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

src="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
prefix=/opt/orch
dest="$root$prefix"
bindir="$root/usr/local/bin"
unitdir="$root/etc/systemd/system"
data=/var/lib/orch

say() { echo "install.sh: $*"; }
die() { echo "install.sh: error: $*" >&2; exit 1; }

[[ -x "$src/bin/orchd" && -x "$src/bin/orchctl" && -f "$src/systemd/orchd.service" ]] \
  || die "$src is not an unpacked orch release (bin/orchd, bin/orchctl, systemd/orchd.service)"
compgen -G "$src/lib/*.jar" >/dev/null || die "no jars in $src/lib"
if [[ -z "$root" && $(id -u) -ne 0 ]]; then
  die "run as root (sudo ./install.sh): it writes $prefix, /usr/local/bin and $unitdir"
fi

# --- Java 17+ and the tools orchd runs -------------------------------------------------------
java_cmd() { echo "${JAVA_HOME:+$JAVA_HOME/bin/}java"; }
java_major() {  # prints the major version of java, or nothing when there is none
  local j; j="$(java_cmd)"
  command -v "$j" >/dev/null 2>&1 || return 0
  "$j" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \(1\.\)\{0,1\}\([0-9]*\).*/\2/p' | head -n1
}
missing_packages() {
  local v; v="$(java_major)"
  if [[ -z "$v" || "$v" -lt 17 ]]; then
    if apt-cache show openjdk-17-jre-headless >/dev/null 2>&1; then echo openjdk-17-jre-headless
    else echo default-jre-headless; fi
  fi
  command -v ip >/dev/null 2>&1 || echo iproute2
  command -v nsenter >/dev/null 2>&1 || echo util-linux
  command -v nft >/dev/null 2>&1 || echo nftables
}

if (( ! skip_deps )); then
  mapfile -t need < <(missing_packages)
  if (( ${#need[@]} )); then
    v="$(java_major)"
    if [[ -z "$v" ]]; then
      say "java not found ($(java_cmd)); orch needs Java 17 or newer"
    elif [[ "$v" -lt 17 ]]; then
      say "java $(java_cmd) is version $v; orch needs Java 17 or newer"
    fi
    say "missing packages: ${need[*]}"
    command -v apt-get >/dev/null 2>&1 \
      || die "no apt-get on this machine; install Java 17+, iproute2 (ip), util-linux (nsenter) and nftables (nft), then run install.sh again"
    [[ -z "$root" ]] || die "install them first (apt-get install ${need[*]}), or pass --skip-deps"
    if (( ! yes )); then
      if [[ -t 0 ]]; then
        read -r -p "install.sh: install them now with apt-get? [y/N] " answer
        [[ "$answer" == [yY]* ]] || die "not installed; run: apt-get install ${need[*]}"
      else
        die "run: apt-get install ${need[*]}   (or install.sh --yes to do it here)"
      fi
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    mapfile -t need < <(missing_packages)  # the Java package name may only resolve after the update
    apt-get install -y -q "${need[@]}"
    mapfile -t still < <(missing_packages)
    (( ${#still[@]} == 0 )) || die "still missing after apt-get: ${still[*]}"
  fi
  say "java $(java_major) at $(command -v "$(java_cmd)")"
  if [[ -n "${JAVA_HOME:-}" ]] && ! command -v java >/dev/null 2>&1; then
    say "note: java is only in JAVA_HOME; for the service put JAVA_HOME=$JAVA_HOME in /etc/default/orchd"
  fi
fi

# --- copy the release to /opt/orch -----------------------------------------------------------
if [[ -z "$root" ]]; then
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet orchd 2>/dev/null; then
    die "orchd is running; stop it first (systemctl stop orchd; containers keep running), then run install.sh again"
  fi
  if pgrep -f -- "$prefix/lib/\\*" >/dev/null 2>&1; then
    die "an orchd or orchctl from $prefix is running; stop it first, then run install.sh again"
  fi
fi
if [[ "$src" == "$(readlink -f "$dest" 2>/dev/null || true)" ]]; then
  say "running from $dest itself: keeping its files"
else
  mkdir -p "$(dirname "$dest")"
  rm -rf "$dest.new" "$dest.old"
  mkdir "$dest.new"
  for f in bin lib systemd docs install.sh; do
    if [[ -e "$src/$f" ]]; then cp -R "$src/$f" "$dest.new/"; fi
  done
  chmod -R u+rwX,go+rX,go-w "$dest.new"
  if [[ -e "$dest" ]]; then mv "$dest" "$dest.old"; fi
  mv "$dest.new" "$dest"
  rm -rf "$dest.old"
  say "installed $dest ($("$dest/bin/orchctl" --version 2>/dev/null || echo "version unknown"))"
fi

mkdir -p "$bindir"
ln -sfn "$prefix/bin/orchd" "$bindir/orchd"
ln -sfn "$prefix/bin/orchctl" "$bindir/orchctl"
say "linked $bindir/orchd and $bindir/orchctl"

mkdir -p "$unitdir"
install -m 0644 "$dest/systemd/orchd.service" "$unitdir/orchd.service"
say "installed $unitdir/orchd.service"
if [[ -z "$root" && -d /run/systemd/system ]]; then
  systemctl daemon-reload
fi

# --- what next -------------------------------------------------------------------------------
if [[ -f "$root$data/node.properties" ]]; then
  cat <<EOF
install.sh: $data is initialised; start (or restart after an upgrade) with:
  systemctl enable --now orchd
EOF
else
  cat <<EOF
install.sh: done. $data is not initialised yet; orchd run needs an initialised data dir, so
the first start is init (first manager) or join (every other node), in the foreground:
  orchd init --data-dir $data --advertise-addr THIS_IP
  orchd join --token TOKEN --data-dir $data --advertise-addr THIS_IP MANAGER_IP:4242
When it reports the node running, stop it with Ctrl-C (containers keep running) and hand it to systemd:
  systemctl enable --now orchd
See $prefix/docs/operations.md, "Installing a 3-machine cluster".
EOF
fi

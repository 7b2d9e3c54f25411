#!/usr/bin/env bash
# Self-test of deploy/testbed/testbed. Needs root; without it prints SKIPPED and exits 0.
set -euo pipefail

if [[ ${EUID:-$(id -u)} -ne 0 ]]; then
    {
        echo "=================================================="
        echo "SKIPPED: testbed self-test needs root"
        echo "=================================================="
    } >&2
    exit 0
fi

HERE=$(cd "$(dirname "$0")" && pwd)
TB=$HERE/testbed
BED=st$$x$((RANDOM % 1000))
BED2=${BED}b
export TESTBED_ROOT
TESTBED_ROOT=$(mktemp -d /tmp/orch-testbed-selftest.XXXXXX)
LOG=$TESTBED_ROOT.log
STEP=start

fail() {
    echo "testbed self-test FAILED at step '$STEP': $*" >&2
    exit 1
}
cleanup() {
    local rc=$?
    "$TB" down --name "$BED" >>"$LOG" 2>&1 || true
    "$TB" down --name "$BED2" >>"$LOG" 2>&1 || true
    rm -rf "$TESTBED_ROOT"
    if ((rc != 0)); then echo "testbed self-test: log of testbed commands in $LOG" >&2; else rm -f "$LOG"; fi
}
trap cleanup EXIT

tb() { "$TB" --name "$BED" "$@" >>"$LOG" 2>&1; }

if command -v ping >/dev/null 2>&1; then PING=(ping); elif command -v busybox >/dev/null 2>&1; then PING=(busybox ping)
elif [[ -x /bin/busybox ]]; then PING=(/bin/busybox ping); else
    apt-get install -y -qq iputils-ping >/dev/null 2>&1 || true
    command -v ping >/dev/null 2>&1 || fail "no ping (install iputils-ping or busybox-static)"
    PING=(ping)
fi
# capture first, then match: grep -q in a pipeline can SIGPIPE the writer under pipefail
netns_has() { local l; l=$(ip netns list); grep -q "$1" <<<"$l"; }
links_have() { local l; l=$(ip -o link show); grep -q "$1" <<<"$l"; }
alive() { local s; s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1; s=${s##*) }; [[ ${s%% *} != Z ]]; }
reach() { "$TB" --name "$BED" exec "$1" "${PING[@]}" -c1 -W1 "$2" >>"$LOG" 2>&1; }

root_addrs() { ip -o addr show | awk '{ print $2, $4 }' | sort; ip route show table all | sort; }
before=$(root_addrs)

STEP="up 3"
tb up 3 || fail "up failed"
for i in 1 2 3; do netns_has "^$BED-n$i\b" || fail "netns $BED-n$i missing"; done
netns_has "^$BED-ul\b" || fail "underlay netns missing"
for i in 1 2 3; do [[ -d $TESTBED_ROOT/$BED/n$i/data && -d $TESTBED_ROOT/$BED/n$i/logs ]] || fail "state dir of n$i incomplete"; done
grep -qx "n2 10.250.0.12 $BED-n2" "$TESTBED_ROOT/$BED/nodes" || fail "nodes file wrong: $(cat "$TESTBED_ROOT/$BED/nodes")"
[[ $(root_addrs) == "$before" ]] || fail "addresses or routes changed in the root namespace"

STEP="up again refuses"
if "$TB" --name "$BED" up 2 >>"$LOG" 2>&1; then fail "second up on an existing bed succeeded"; fi
out=$("$TB" --name "$BED" up 2 2>&1 || true)
[[ $out == *"bed $BED exists"*"testbed down --name $BED"* ]] || fail "no 'bed $BED exists; run: testbed down' message: $out"

STEP="second bed coexists"
"$TB" up 1 --name "$BED2" >>"$LOG" 2>&1 || fail "up of a second bed failed"

STEP="ping"
reach 1 10.250.0.12 || fail "n1 cannot ping n2"
reach 1 10.250.0.13 || fail "n1 cannot ping n3"
reach 2 10.250.0.13 || fail "n2 cannot ping n3"

STEP="exec exit code"
rc=0; "$TB" --name "$BED" exec 2 sh -c 'exit 7' || rc=$?
((rc == 7)) || fail "exec returned $rc, want 7"
[[ $("$TB" --name "$BED" exec 3 sh -c 'echo {node} {addr}') == "n3 10.250.0.13" ]] || fail "placeholders not substituted in exec"

STEP="partition"
tb partition 3 || fail "partition failed"
if reach 1 10.250.0.13; then fail "n1 still reaches n3 after partition"; fi
reach 1 10.250.0.12 || fail "partition of n3 cut n1 from n2"

STEP="heal"
tb heal 3 || fail "heal failed"
ok=0; for _ in 1 2 3 4 5; do if reach 1 10.250.0.13; then ok=1; break; fi; done
((ok)) || fail "n1 cannot reach n3 after heal"

STEP="partition --drop --from"
tb partition 3 --drop --from 1 || fail "partition --drop failed"
if reach 1 10.250.0.13; then fail "n1 still reaches n3 after partition --drop --from 1"; fi
reach 2 10.250.0.13 || fail "n2 cannot reach n3 although only n1 was cut"
tb heal 3 || fail "heal failed"
reach 1 10.250.0.13 || fail "n1 cannot reach n3 after heal of the drop partition"

STEP="start"
tb start 2 sh -c 'echo started on {node} {addr}; exec sleep 1000' || fail "start failed"
pid=$(cat "$TESTBED_ROOT/$BED/n2/pid")
for _ in $(seq 50); do grep -q "started on n2 10.250.0.12" "$TESTBED_ROOT/$BED/n2/logs/stdout.log" 2>/dev/null && break; sleep 0.1; done
grep -q "started on n2 10.250.0.12" "$TESTBED_ROOT/$BED/n2/logs/stdout.log" || fail "no output of started command in n2's log"
alive "$pid" || fail "started process $pid is not running"
[[ $(readlink "/proc/$pid/ns/net") == "$(ip netns exec "$BED-n2" readlink /proc/self/ns/net)" ]] || fail "started process is not in n2's netns"
out=$("$TB" --name "$BED" ls 2>&1) || fail "ls failed: $out"
[[ $out == *"$pid:alive"* ]] || fail "ls does not show pid $pid alive: $out"
# a process that escaped into the netns without being recorded: down must kill it too
stray=$( (ip netns exec "$BED-n1" setsid sleep 1001 </dev/null >/dev/null 2>&1 & echo $!) )
for _ in $(seq 50); do grep -qx "$stray" <<<"$(ip netns pids "$BED-n1")" && break; sleep 0.05; done
grep -qx "$stray" <<<"$(ip netns pids "$BED-n1")" || fail "stray process did not enter n1"

STEP="down"
tb down || fail "down failed"
for _ in $(seq 20); do alive "$pid" || alive "$stray" || break; sleep 0.1; done
if alive "$pid"; then fail "started process $pid survived down"; fi
if alive "$stray"; then fail "stray process $stray in n1 survived down"; fi
if netns_has "^$BED-"; then fail "netns of the bed remain: $(ip netns list | grep "^$BED-")"; fi
hash=$(printf '%s' "$BED" | sha1sum | cut -c1-7)
if links_have "tb$hash"; then fail "links of the bed remain in the root namespace"; fi
[[ ! -e $TESTBED_ROOT/$BED ]] || fail "state dir $TESTBED_ROOT/$BED remains"
[[ $(root_addrs) == "$before" ]] || fail "addresses or routes of the root namespace differ after down"

STEP="other bed untouched"
netns_has "^$BED2-n1\b" || fail "down of $BED removed $BED2"
"$TB" --name "$BED2" exec 1 true || fail "bed $BED2 broken after down of $BED"

STEP="down is idempotent"
out=$("$TB" down --name "$BED" 2>&1) || fail "second down failed: $out"
[[ $out == *"nothing to remove"* ]] || fail "second down did not say 'nothing to remove': $out"
"$TB" down --name "$BED2" >>"$LOG" 2>&1 || fail "down of $BED2 failed"
if netns_has "^$BED2-"; then fail "netns of $BED2 remain"; fi

echo "testbed self-test: OK"

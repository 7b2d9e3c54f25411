#!/usr/bin/env bash
# Builds orch, starts a one-node cluster on 127.0.0.1 (embedded defaults) and deploys a
# 5-replica service of real containers from a busybox image built locally (no internet needed).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[[ $(id -u) -eq 0 ]] || { echo "demo: run as root (containers need namespaces, cgroups and mounts)" >&2; exit 1; }
demo="${ORCH_DEMO_DIR:-/var/lib/orch-demo}"
addr="${ORCH_DEMO_ADDR:-127.0.0.1:4242}"
export ORCH_HOST="$addr"

"$root/deploy/install-deps.sh"
echo "demo: building (mvn install, tests skipped)..."
(cd "$root" && mvn -q -B -DskipTests install)

mkdir -p "$demo"
if [[ -f "$demo/orchd.pid" ]] && kill -0 "$(cat "$demo/orchd.pid")" 2>/dev/null; then
  echo "demo: orchd already running (pid $(cat "$demo/orchd.pid"))"
else
  if [[ -f "$demo/data/node.properties" ]]; then
    cmd=(run --data-dir "$demo/data")
  else
    cmd=(init --data-dir "$demo/data" --advertise-addr "$addr")
  fi
  setsid nohup "$root/deploy/bin/orchd" "${cmd[@]}" --metrics-addr 127.0.0.1:9323 \
    >>"$demo/orchd.log" 2>&1 </dev/null &
  echo $! >"$demo/orchd.pid"
  echo "demo: started orchd (pid $!), log in $demo/orchd.log"
fi
ctl="$root/deploy/bin/orchctl"
for _ in $(seq 1 150); do "$ctl" node ls >/dev/null 2>&1 && break; sleep 0.2; done
"$ctl" node ls

"$root/deploy/images/build-busybox-image.sh" "$demo/busybox.tar" busybox:latest >/dev/null
"$ctl" image import "$demo/busybox.tar"
"$ctl" service rm demo >/dev/null 2>&1 || true
"$ctl" service create --name demo --replicas 5 --limit-memory 32M busybox \
  sh -c 'while true; do echo "hello from $(hostname)"; sleep 5; done'
"$ctl" service ps demo
cat <<MSG

The service "demo" runs 5 real containers. Look at it with:
  export ORCH_HOST=$addr
  $ctl service ls
  $ctl service ps demo
  $ctl service inspect demo
Container logs:  $demo/data/worker/logs/<task id>.log   (ls -t $demo/data/worker/logs | head)
orchd log:       $demo/orchd.log
Metrics:         curl -s http://127.0.0.1:9323/metrics | grep ^orch_
Stop orchd:      kill \$(cat $demo/orchd.pid)   (containers keep running; run this script again to resume)
Remove the demo: $ctl service rm demo
MSG

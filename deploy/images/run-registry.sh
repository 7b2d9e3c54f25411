#!/usr/bin/env bash
# Runs a local OCI distribution registry (Debian's docker-registry, distribution 2.8) for tests and
# benchmarks, with its config and storage in DIR, serving plain HTTP on ADDR (HOST:PORT).
#   run-registry.sh DIR ADDR [HTPASSWD]
# With HTPASSWD (a bcrypt htpasswd file) every request needs basic auth. Runs in the foreground.
set -euo pipefail
(($# >= 2)) || { echo "usage: run-registry.sh DIR ADDR [HTPASSWD]" >&2; exit 2; }
dir=$1 addr=$2 htpasswd=${3:-}
command -v docker-registry >/dev/null || { echo "run-registry.sh: docker-registry is not installed (deploy/install-deps.sh installs it)" >&2; exit 1; }
mkdir -p "$dir/storage"
{
  echo "version: 0.1"
  echo "log: {level: warn}"
  echo "storage:"
  echo "  filesystem: {rootdirectory: $dir/storage}"
  echo "  delete: {enabled: true}"
  echo "http:"
  echo "  addr: $addr"
  if [[ -n $htpasswd ]]; then
    echo "auth:"
    echo "  htpasswd: {realm: orch-test, path: $htpasswd}"
  fi
} >"$dir/config.yml"
exec docker-registry serve "$dir/config.yml"

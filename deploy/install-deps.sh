#!/usr/bin/env bash
# Installs what orch needs on a fresh Debian/Ubuntu machine, only what is missing:
# Java 17 and Maven to build; iproute2, util-linux, busybox-static, nftables to run and test;
# iperf3 and ethtool for the overlay benchmark;
# docker-registry (distribution 2.8) and skopeo for the registry pull tests and benchmark.
set -euo pipefail
need=()
command -v java >/dev/null 2>&1 || need+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || need+=(maven)
command -v gcc >/dev/null 2>&1 || need+=(gcc libc6-dev)
[[ -f /usr/lib/x86_64-linux-gnu/libc.a || -f /usr/lib/aarch64-linux-gnu/libc.a ]] || need+=(libc6-dev)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v tc >/dev/null 2>&1 || need+=(iproute2)  # tc netem: delay and loss in the fault campaign
command -v nsenter >/dev/null 2>&1 || need+=(util-linux)
command -v nft >/dev/null 2>&1 || need+=(nftables)
dpkg -s busybox-static >/dev/null 2>&1 || need+=(busybox-static)
command -v iperf3 >/dev/null 2>&1 || need+=(iperf3)
command -v ethtool >/dev/null 2>&1 || need+=(ethtool)
command -v docker-registry >/dev/null 2>&1 || need+=(docker-registry)
command -v skopeo >/dev/null 2>&1 || need+=(skopeo)
if (( ${#need[@]} )); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "install-deps: missing packages ${need[*]}; run as root or install them" >&2
    exit 1
  fi
  echo "install-deps: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q "${need[@]}" >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q "${need[@]}" >/dev/null; }
fi

#!/usr/bin/env bash
# Builds a tiny single-layer OCI image archive (an "OCI image layout" tar, as
# `skopeo copy ... oci-archive:` writes) from the host's static busybox.
#
#   build-busybox-image.sh OUT.tar [NAME:TAG]     (NAME:TAG defaults to busybox:latest)
#
# No network is needed. The output is deterministic: fixed mtimes, sorted
# entries, numeric owners and `gzip -n`, so the same busybox binary always
# yields the same manifest digest.
set -euo pipefail
umask 022

die() { echo "build-busybox-image: $*" >&2; exit 1; }

[[ $# -ge 1 && $# -le 2 ]] || die "usage: $0 OUT.tar [NAME:TAG]"
out=$1
ref=${2:-busybox:latest}
busybox=/bin/busybox

if ! "$busybox" --list >/dev/null 2>&1; then
  echo "build-busybox-image: $busybox missing, installing busybox-static" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q busybox-static >&2 || die "cannot install busybox-static"
fi
file_type=$(head -c 4 "$busybox" | od -An -c | tr -d ' ')
[[ $file_type == 177ELF ]] || die "$busybox is not an ELF binary"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/rootfs
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,root,tmp,proc,sys,dev,var}
install -m 0755 "$busybox" "$root/bin/busybox"
# One symlink per applet, where busybox itself would install it.
"$busybox" --list-full | while read -r applet; do
  [[ $applet == bin/busybox ]] && continue
  mkdir -p "$root/$(dirname "$applet")"
  ln -sf /bin/busybox "$root/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$root/etc/passwd"
printf 'root:x:0:\nnobody:x:65534:\n' >"$root/etc/group"
chmod 0644 "$root/etc/passwd" "$root/etc/group"
chmod 1777 "$root/tmp"
chmod 0700 "$root/root"

sha() { sha256sum "$1" | cut -d' ' -f1; }
size() { stat -c %s "$1"; }

# Every path listed explicitly in C-locale order, so tar output does not depend on readdir order.
(cd "$root" && find . -mindepth 1 -printf '%P\n' | LC_ALL=C sort >"$work/files")
(cd "$root" && tar --create --file="$work/layer.tar" --format=ustar --mtime=@0 \
  --owner=0 --group=0 --numeric-owner --no-recursion --files-from="$work/files")
diff_id=$(sha "$work/layer.tar")
gzip -n -9 <"$work/layer.tar" >"$work/layer.tar.gz"
layer_digest=$(sha "$work/layer.tar.gz")
layer_size=$(size "$work/layer.tar.gz")

layout=$work/layout
mkdir -p "$layout/blobs/sha256"
mv "$work/layer.tar.gz" "$layout/blobs/sha256/$layer_digest"

path_env=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
printf '%s' '{"architecture":"amd64","config":{"Env":["PATH='"$path_env"'"],"Cmd":["sh"]},"created":"1970-01-01T00:00:00Z","history":[{"created":"1970-01-01T00:00:00Z","created_by":"build-busybox-image.sh"}],"os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:'"$diff_id"'"]}}' >"$work/config.json"
config_digest=$(sha "$work/config.json")
config_size=$(size "$work/config.json")
mv "$work/config.json" "$layout/blobs/sha256/$config_digest"

printf '%s' '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:'"$config_digest"'","size":'"$config_size"'},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:'"$layer_digest"'","size":'"$layer_size"'}]}' >"$work/manifest.json"
manifest_digest=$(sha "$work/manifest.json")
manifest_size=$(size "$work/manifest.json")
mv "$work/manifest.json" "$layout/blobs/sha256/$manifest_digest"

printf '%s' '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:'"$manifest_digest"'","size":'"$manifest_size"',"annotations":{"org.opencontainers.image.ref.name":"'"$ref"'"},"platform":{"architecture":"amd64","os":"linux"}}]}' >"$layout/index.json"
printf '%s' '{"imageLayoutVersion":"1.0.0"}' >"$layout/oci-layout"

(cd "$layout" && find . -mindepth 1 -printf '%P\n' | LC_ALL=C sort >"$work/layout-files")
(cd "$layout" && tar --create --file="$work/image.tar" --format=ustar --mtime=@0 \
  --owner=0 --group=0 --numeric-owner --no-recursion --files-from="$work/layout-files")
mkdir -p "$(dirname "$out")"
mv "$work/image.tar" "$out"
echo "sha256:$manifest_digest $ref"

# Sourced by the benches that compare orch with Docker Swarm (not run on its own).
#   need_docker_io NAME          installs Debian's docker.io when dockerd or the docker CLI is missing
#   busybox_layer ARCHIVE DIR    unpacks orch's busybox image archive (an OCI layout tar) into DIR
#                                and prints the path of its single layer, for `docker import`

need_docker_io() {
  [[ -x /usr/bin/docker && -x /usr/sbin/dockerd ]] && return 0
  echo "$1: installing Debian's docker.io (dockerd, containerd, runc) for the comparison" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends docker.io >&2 \
    || { echo "error: $1: apt-get install docker.io failed; install it by hand and run again" >&2; exit 1; }
}

busybox_layer() {
  mkdir -p "$2" && tar -xf "$1" -C "$2"
  python3 -c 'import json,sys; d=sys.argv[1]; idx=json.load(open(d+"/index.json")); m=idx["manifests"][0]["digest"].split(":")[1]; man=json.load(open(d+"/blobs/sha256/"+m)); print(d+"/blobs/sha256/"+man["layers"][0]["digest"].split(":")[1])' "$2"
}

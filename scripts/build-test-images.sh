#!/usr/bin/env bash
# Builds the images the tests run, from Debian packages, as OCI image archives (tars of an OCI image
# layout) in OUTDIR:
#   busybox.tar   k8ts.local/busybox:1   busybox-static with its applet links (sh, httpd, wget, nc, …),
#                                        /etc/passwd and /etc/group, /tmp; cmd ["sh"]
#   nginx.tar     k8ts.local/nginx:1     Debian's nginx binary (nginx-light) and exactly the shared
#                                        libraries `ldd` lists, /etc/nginx/nginx.conf answering every
#                                        request on port 80 with `$hostname\n` (200, keep-alive, no
#                                        access log); cmd ["/usr/sbin/nginx"]. No shell: use httpGet
#                                        probes. A keep-alive backend for the data-path benchmarks.
# The index entry of each archive carries the full name (io.containerd.image.name, read by
# `ctr images import`) and the tag (org.opencontainers.image.ref.name, read by skopeo's
# `oci-archive:FILE:TAG`).
#
# Reproducible: the same inputs give the same bytes (file times at the epoch, fixed creation time,
# history at the epoch). Idempotent: an archive newer than this script and than its inputs is kept. Archives are written
# under a temporary name and renamed, so concurrent runs never see a half-written file.
#
# Usage: scripts/build-test-images.sh OUTDIR
# Needs: umoci, busybox-static, node, and nginx-light for nginx.tar (all Debian packages; see
# scripts/lib.sh). Without /usr/sbin/nginx, nginx.tar is skipped with a note (busybox.tar is what
# most tests need).
set -euo pipefail

OUT=${1:?usage: build-test-images.sh OUTDIR}
SCRIPT=$(readlink -f "$0")
BUSYBOX=/bin/busybox
NGINX=/usr/sbin/nginx

for tool in umoci node tar; do
  command -v "$tool" >/dev/null || { echo "build-test-images: $tool is not installed" >&2; exit 1; }
done
[[ -x $BUSYBOX ]] || { echo "build-test-images: $BUSYBOX missing (install busybox-static)" >&2; exit 1; }
if ! "$BUSYBOX" --list-full >/dev/null 2>&1; then
  echo "build-test-images: $BUSYBOX cannot list its applets (is it busybox-static?)" >&2
  exit 1
fi

mkdir -p "$OUT"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/k8ts-images.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

ROOTLESS=()
((EUID == 0)) || ROOTLESS=(--rootless)

# Adds the full image name to the index entry of TAG in the OCI layout DIR.
annotate_name() {
  local dir=$1 tag=$2 name=$3
  node -e '
    const fs = require("node:fs");
    const [file, tag, name] = process.argv.slice(1);
    const index = JSON.parse(fs.readFileSync(file, "utf8"));
    for (const m of index.manifests ?? [])
      if (m.annotations?.["org.opencontainers.image.ref.name"] === tag)
        m.annotations["io.containerd.image.name"] = name;
    fs.writeFileSync(file, JSON.stringify(index));
  ' "$dir/index.json" "$tag" "$name"
}

# Tars the OCI layout DIR into FILE reproducibly (sorted names, fixed times and owners).
tar_layout() {
  local dir=$1 file=$2
  tar -C "$dir" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf "$file.tmp.$$" .
  mv -f "$file.tmp.$$" "$file"
}

# Repacks the bundle reproducibly: every file's time at the epoch, the layer's history entry dated at
# the epoch, then the config (extra arguments) with a fixed creation time: same inputs, same bytes.
repack_reproducibly() {
  local layout=$1 tag=$2 bundle=$3
  shift 3
  find "$bundle/rootfs" -exec touch -h -d @0 {} +
  umoci repack --history.created 1970-01-01T00:00:00Z --history.created_by build-test-images.sh \
    --image "$layout:$tag" "$bundle"
  umoci config --no-history --created 1970-01-01T00:00:00Z --image "$layout:$tag" "$@"
}

# True when FILE exists and is newer than this script and every other argument.
up_to_date() {
  local file=$1 dep
  shift
  [[ -f $file && $file -nt $SCRIPT ]] || return 1
  for dep in "$@"; do [[ $file -nt $dep ]] || return 1; done
}

build_busybox() {
  local file=$OUT/busybox.tar tag=1 name=k8ts.local/busybox:1
  if up_to_date "$file" "$(readlink -f "$BUSYBOX")"; then
    echo "busybox: $file is up to date"
    return
  fi
  local layout=$WORK/busybox bundle=$WORK/busybox-bundle
  umoci init --layout "$layout"
  umoci new --image "$layout:$tag"
  umoci unpack "${ROOTLESS[@]}" --image "$layout:$tag" "$bundle"
  local root=$bundle/rootfs applet
  mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,root,var/www,home}
  install -d -m 1777 "$root/tmp"
  cp "$BUSYBOX" "$root/bin/busybox"
  chmod 0755 "$root/bin/busybox"
  # One link per applet, where busybox would install it (bin/sh, usr/bin/wget, sbin/ip, …).
  while read -r applet; do
    [[ $applet == bin/busybox || -e $root/$applet ]] && continue
    mkdir -p "$(dirname "$root/$applet")"
    ln -s /bin/busybox "$root/$applet"
  done < <("$BUSYBOX" --list-full)
  printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'nobody:x:65534:65534:nobody:/home:/bin/false' \
    >"$root/etc/passwd"
  printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' >"$root/etc/group"
  printf 'hosts: files dns\n' >"$root/etc/nsswitch.conf"
  repack_reproducibly "$layout" "$tag" "$bundle" --config.cmd sh --config.workingdir / \
    --config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
  umoci gc --layout "$layout"
  annotate_name "$layout" "$tag" "$name"
  tar_layout "$layout" "$file"
  echo "busybox: wrote $file ($name)"
}

# The nginx configuration of nginx.tar: one worker (the data-path benchmarks run on a 2-core
# machine beside their load generator and proxy), keep-alive with nginx's defaults, everything it
# writes under /tmp, errors to stderr (the container log).
nginx_conf() {
  cat <<'CONF'
daemon off;
master_process on;
worker_processes 1;
user nobody nogroup;
pid /tmp/nginx.pid;
error_log stderr warn;
events {
  worker_connections 4096;
}
http {
  access_log off;
  server_tokens off;
  default_type text/plain;
  client_body_temp_path /tmp/client_body;
  proxy_temp_path /tmp/proxy;
  fastcgi_temp_path /tmp/fastcgi;
  uwsgi_temp_path /tmp/uwsgi;
  scgi_temp_path /tmp/scgi;
  server {
    listen 80 default_server backlog=4096;
    location / {
      return 200 "$hostname\n";
    }
  }
}
CONF
}

# The shared libraries the nginx binary loads, one path per line (the loader included).
nginx_libs() {
  ldd "$NGINX" | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' | sort -u
}

build_nginx() {
  local file=$OUT/nginx.tar tag=1 name=k8ts.local/nginx:1
  if [[ ! -x $NGINX ]]; then
    echo "nginx: $NGINX missing (install nginx-light): $file not built" >&2
    return
  fi
  local libs=() lib
  mapfile -t libs < <(nginx_libs)
  ((${#libs[@]})) || { echo "build-test-images: ldd $NGINX listed no libraries" >&2; exit 1; }
  local deps=("$(readlink -f "$NGINX")")
  for lib in "${libs[@]}"; do deps+=("$(readlink -f "$lib")"); done
  if up_to_date "$file" "${deps[@]}"; then
    echo "nginx: $file is up to date"
    return
  fi
  local layout=$WORK/nginx bundle=$WORK/nginx-bundle
  umoci init --layout "$layout"
  umoci new --image "$layout:$tag"
  umoci unpack "${ROOTLESS[@]}" --image "$layout:$tag" "$bundle"
  local root=$bundle/rootfs
  mkdir -p "$root"/{usr/sbin,etc/nginx,usr/share/nginx,var/lib/nginx,var/log/nginx}
  install -d -m 1777 "$root/tmp"
  install -m 0755 "$NGINX" "$root/usr/sbin/nginx"
  # Each library under the name ldd printed (the loader resolves those), with the linked file's bytes.
  for lib in "${libs[@]}"; do
    mkdir -p "$root$(dirname "$lib")"
    install -m 0755 "$(readlink -f "$lib")" "$root$lib"
  done
  nginx_conf >"$root/etc/nginx/nginx.conf"
  printf '%s\n' 'root:x:0:0:root:/root:/bin/false' 'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' \
    >"$root/etc/passwd"
  printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' >"$root/etc/group"
  printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$root/etc/nsswitch.conf"
  repack_reproducibly "$layout" "$tag" "$bundle" --config.cmd /usr/sbin/nginx --config.workingdir / \
    --config.exposedports 80/tcp --config.env PATH=/usr/sbin:/usr/bin:/sbin:/bin
  umoci gc --layout "$layout"
  annotate_name "$layout" "$tag" "$name"
  tar_layout "$layout" "$file"
  echo "nginx: wrote $file ($name)"
}

build_busybox
build_nginx

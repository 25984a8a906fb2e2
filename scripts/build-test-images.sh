#!/usr/bin/env bash
# Builds the images the tests run, from Debian packages, as OCI image archives (tars of an OCI image
# layout) in OUTDIR:
#   busybox.tar   k8ts.local/busybox:1   busybox-static with its applet links (sh, httpd, wget, nc, …),
#                                        /etc/passwd and /etc/group, /tmp; cmd ["sh"]
# The index entry of each archive carries the full name (io.containerd.image.name, read by
# `ctr images import`) and the tag (org.opencontainers.image.ref.name, read by skopeo's
# `oci-archive:FILE:TAG`).
#
# Idempotent: an archive newer than this script and than its inputs is kept. Archives are written
# under a temporary name and renamed, so concurrent runs never see a half-written file.
#
# Usage: scripts/build-test-images.sh OUTDIR
# Needs: umoci, busybox-static, node (all Debian packages; see scripts/lib.sh).
set -euo pipefail

OUT=${1:?usage: build-test-images.sh OUTDIR}
SCRIPT=$(readlink -f "$0")
BUSYBOX=/bin/busybox

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
  umoci repack --image "$layout:$tag" "$bundle"
  umoci config --image "$layout:$tag" --config.cmd sh --config.workingdir / \
    --config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
  umoci gc --layout "$layout"
  annotate_name "$layout" "$tag" "$name"
  tar_layout "$layout" "$file"
  echo "busybox: wrote $file ($name)"
}

build_busybox

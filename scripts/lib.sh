# Shared helpers for scripts/test.sh and scripts/start.sh (sourced, not run).
# shellcheck shell=bash

# Debian packages the project needs, now or soon: etcd for the etcd datastore and its tests;
# containerd, runc, CNI plugins, packet filtering and conntrack for nodes; catatonit, busybox-static,
# umoci, skopeo and docker-registry to build and serve test images on loopback; wrk for benchmarks;
# haproxy for the Ingress data path of nodes; nginx-light for the keep-alive backend image of the
# data-path benchmarks;
# iproute2 for network namespaces. Those missing from the package mirror are skipped with a note.
K8TS_DEBIAN_PACKAGES=(
  etcd-server etcd-client
  containerd runc containernetworking-plugins iptables nftables conntrack iproute2
  catatonit busybox-static umoci skopeo docker-registry
  wrk haproxy nginx-light
)

# Packages without which the tests cannot run at all: a failure to install one of these is fatal.
K8TS_REQUIRED_PACKAGES=(etcd-server etcd-client)

section() { printf '\n==> %s\n' "$*"; }
die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

# True when the Debian package is installed.
pkg_installed() {
  [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" == "install ok installed" ]]
}

# True when the package mirror offers a version of the package.
pkg_available() {
  local candidate
  candidate=$(apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ {print $2}')
  [[ -n "$candidate" && "$candidate" != "(none)" ]]
}

# Installs the missing packages of K8TS_DEBIAN_PACKAGES (apt-get update once, only when something is
# missing). Daemons the packages ship are not started: tests start their own as child processes.
ensure_system_packages() {
  if ! command -v dpkg-query >/dev/null || ! command -v apt-get >/dev/null; then
    echo "not a Debian-like system (no dpkg/apt-get): skipping system packages"
    return 0
  fi
  local missing=() p
  for p in "${K8TS_DEBIAN_PACKAGES[@]}"; do pkg_installed "$p" || missing+=("$p"); done
  if ((${#missing[@]} == 0)); then
    echo "all system packages present"
    return 0
  fi
  echo "missing system packages: ${missing[*]}"
  if [[ "${K8TS_TEST_NO_APT:-}" == 1 ]]; then
    echo "K8TS_TEST_NO_APT=1: not installing them"
    return 0
  fi
  if ((EUID != 0)); then
    echo "warning: not root, cannot install them; run as root or install them yourself" >&2
    return 0
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update || {
    echo "apt-get update failed" >&2
    return 1
  }
  local install=() skipped=()
  for p in "${missing[@]}"; do
    if pkg_available "$p"; then install+=("$p"); else skipped+=("$p"); fi
  done
  for p in "${skipped[@]}"; do
    if [[ " ${K8TS_REQUIRED_PACKAGES[*]} " == *" $p "* ]]; then
      echo "required package $p is not available from the package mirror" >&2
      return 1
    fi
  done
  ((${#skipped[@]})) && echo "not available from the package mirror, skipped: ${skipped[*]}"
  ((${#install[@]})) || return 0
  # Keep package scripts from starting daemons (etcd, containerd) on machines without systemd.
  local policy=/usr/sbin/policy-rc.d added_policy=0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && added_policy=1
  fi
  local rc=0
  apt-get install -y --no-install-recommends "${install[@]}" || rc=$?
  ((added_policy)) && rm -f "$policy"
  if ((rc != 0)); then
    echo "apt-get install ${install[*]} failed (exit $rc)" >&2
    return 1
  fi
}

# Runs `npm ci` unless node_modules was installed by this script from the same package-lock.json.
ensure_node_modules() {
  local stamp=node_modules/.k8ts-lock-sha256 want
  want=$(sha256sum package-lock.json | cut -d' ' -f1)
  if [[ "${K8TS_TEST_NPM_CI:-}" != 1 && -f $stamp && "$(cat "$stamp")" == "$want" ]]; then
    echo "node_modules matches package-lock.json"
    return 0
  fi
  npm ci || return 1
  echo "$want" >"$stamp"
}

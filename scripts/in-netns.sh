#!/usr/bin/env bash
# Runs a command inside a fresh network namespace, then removes every trace of what ran there.
#
# Usage: scripts/in-netns.sh CMD [ARG...]
#
# Creates the namespace k8ts-ci-<pid> (loopback up) and the directory /tmp/k8ts-ci-<pid>, and runs CMD
# with `nsenter --net=…` (not `ip netns exec`: that also makes a mount namespace and remounts /sys,
# which hides the cgroup hierarchies from runc). CMD sees:
#   K8TS_CI_NETNS        the namespace name (k8ts-ci-<pid>)
#   K8TS_CI_DIR          the scratch directory; TMPDIR points there too
#   K8TS_CI_CGROUP       a cgroup path (/k8ts-ci-<pid>) under which test nodes put their pods
#   K8TS_CI_HOST_TMPDIR  the TMPDIR from before (for caches that outlive the run)
# Whatever CMD starts (servers, containerd, shims, containers, kubectl) shares the namespace's
# loopback; the machine's network and iptables stay untouched.
#
# On exit, also on failure and on SIGINT/SIGTERM: kills by PID every process in the namespace and its
# descendants (containers below their shims), removes the sockets of killed shims and libcni cache
# entries that point into the scratch dir, unmounts what is mounted under it, removes the cgroups,
# the namespace and the directory. Leftovers of runs that were SIGKILLed are swept first. The exit
# code is CMD's (128+N when a signal ended the run). Needs root.
set -uo pipefail

(($# > 0)) || {
  echo "usage: $0 CMD [ARG...]" >&2
  exit 2
}
((EUID == 0)) || {
  echo "in-netns: needs root (network namespaces, mounts, cgroups)" >&2
  exit 2
}

NETNS_DIR=/run/netns
CNI_RESULTS=/var/lib/cni/results
HOST_TMP=${TMPDIR:-/tmp}
HOST_TMP=${HOST_TMP%/}

# Prints the PIDs in the namespace NAME and all their descendants, one a line.
pids_of() {
  local name=$1 ns=$NETNS_DIR/$1
  [[ -e $ns ]] || return 0
  local -A parent=() member=()
  local stat pid rest ppid
  for stat in /proc/[0-9]*/stat; do
    pid=${stat#/proc/}
    pid=${pid%/stat}
    ((pid == $$ || pid == BASHPID)) && continue
    read -r rest 2>/dev/null <"$stat" || continue
    rest=${rest##*) }
    read -r _ ppid _ <<<"$rest"
    parent[$pid]=$ppid
    # Same device and inode: the process lives in that namespace.
    [[ /proc/$pid/ns/net -ef $ns ]] && member[$pid]=1
  done
  local grew=1
  while ((grew)); do
    grew=0
    for pid in "${!parent[@]}"; do
      [[ -z ${member[$pid]:-} && -n ${member[${parent[$pid]}]:-} ]] && member[$pid]=1 && grew=1
    done
  done
  ((${#member[@]})) && printf '%s\n' "${!member[@]}"
  return 0
}

# True while PID exists and is not a zombie.
alive() {
  local s
  read -r s 2>/dev/null <"/proc/$1/stat" || return 1
  s=${s##*) }
  [[ ${s:0:1} != Z ]]
}

# Removes the socket a containerd shim v2 listens on (/run/containerd/s/<sha256(address/ns/id)>),
# which a SIGKILLed shim leaves behind.
shim_socket_of() {
  local pid=$1 args=() a address='' ns='' id='' i
  mapfile -d '' args <"/proc/$pid/cmdline" 2>/dev/null || return 0
  [[ ${args[0]:-} == *containerd-shim* ]] || return 0
  for ((i = 0; i < ${#args[@]}; i++)); do
    a=${args[$i]}
    case $a in
      -address) address=${args[$((i + 1))]:-} ;;
      -namespace) ns=${args[$((i + 1))]:-} ;;
      -id) id=${args[$((i + 1))]:-} ;;
    esac
  done
  [[ -n $address && -n $ns && -n $id ]] || return 0
  printf '/run/containerd/s/%s\n' "$(printf '%s' "$address/$ns/$id" | sha256sum | cut -d' ' -f1)"
}

# Drops libcni result cache entries whose network config points into DIR (a containerd that was
# killed never ran their CNI DEL).
remove_cni_results() {
  local dir=$1
  [[ -d $CNI_RESULTS ]] || return 0
  node -e '
    const fs = require("node:fs"), path = require("node:path");
    const [results, dir] = process.argv.slice(1);
    for (const entry of fs.readdirSync(results)) {
      try {
        const c = JSON.parse(fs.readFileSync(path.join(results, entry), "utf8"));
        if (typeof c.config !== "string" || typeof c.containerId !== "string") continue;
        if (!Buffer.from(c.config, "base64").toString("utf8").includes(dir + "/")) continue;
        fs.rmSync(path.join(results, entry), { force: true });
        fs.rmSync(path.join(results, `cni-loopback-${c.containerId}-lo`), { force: true });
      } catch {}
    }' "$CNI_RESULTS" "$dir" || true
}

# Removes a cgroup tree bottom-up in every hierarchy (retrying while killed tasks drain).
remove_cgroups() {
  local rel=$1 mp tries d
  while read -r mp; do
    [[ -d $mp$rel ]] || continue
    for ((tries = 0; tries < 50; tries++)); do
      while read -r d; do rmdir "$d" 2>/dev/null; done < <(find "$mp$rel" -depth -type d 2>/dev/null)
      [[ -d $mp$rel ]] || break
      sleep 0.1
    done
    [[ -d $mp$rel ]] && echo "in-netns: cgroup $mp$rel not removed" >&2
  done < <(awk '$0 ~ / - cgroup2? / {print $5}' /proc/self/mountinfo)
}

# Tears down everything of the namespace NAME (idempotent).
teardown() {
  local name=$1 dir=$HOST_TMP/$1 pids=() sockets=() pid mp tries
  mapfile -t pids < <(pids_of "$name")
  for pid in "${pids[@]}"; do
    [[ -n $pid ]] && sockets+=("$(shim_socket_of "$pid")")
  done
  if ((${#pids[@]})); then
    echo "in-netns: killing ${#pids[@]} process(es) left in $name:" >&2
    for pid in "${pids[@]}"; do
      printf '  %s %s\n' "$pid" "$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | cut -c1-200)" >&2
    done
    kill -KILL "${pids[@]}" 2>/dev/null
    for ((tries = 0; tries < 100; tries++)); do
      local left=0
      for pid in "${pids[@]}"; do alive "$pid" && left=1 && break; done
      ((left)) || break
      sleep 0.1
    done
  fi
  for s in "${sockets[@]}"; do [[ -n $s ]] && rm -f "$s"; done
  remove_cni_results "$dir"
  while read -r mp; do
    umount -l "$mp" 2>/dev/null || echo "in-netns: cannot unmount $mp" >&2
  done < <(awk -v d="$dir" '$5 == d || index($5, d "/") == 1 {print length($5) "\t" $5}' /proc/self/mountinfo |
    sort -rn | cut -f2-)
  remove_cgroups "/$name"
  [[ -e $NETNS_DIR/$name ]] && { ip netns delete "$name" || echo "in-netns: cannot delete netns $name" >&2; }
  rm -rf "$dir" || echo "in-netns: cannot remove $dir" >&2
}

# Sweep the leftovers of runs whose script is gone (SIGKILLed, machine crash).
for f in "$NETNS_DIR"/k8ts-ci-* "$HOST_TMP"/k8ts-ci-*; do
  [[ -e $f ]] || continue
  name=${f##*/}
  owner=${name#k8ts-ci-}
  [[ $owner =~ ^[0-9]+$ ]] || continue
  kill -0 "$owner" 2>/dev/null && continue
  echo "in-netns: sweeping $name (its run is gone)" >&2
  teardown "$name"
done

NAME=k8ts-ci-$$
DIR=$HOST_TMP/$NAME
CHILD=''

finish() {
  local rc=$?
  trap - EXIT INT TERM HUP
  if [[ -n $CHILD ]] && alive "$CHILD"; then kill -TERM "$CHILD" 2>/dev/null; fi
  teardown "$NAME"
  exit "$rc"
}
trap finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

ip netns add "$NAME" || exit 1
ip -n "$NAME" link set lo up || exit 1
mkdir -p "$DIR" && chmod 755 "$DIR" || exit 1

export K8TS_CI_NETNS=$NAME K8TS_CI_DIR=$DIR K8TS_CI_CGROUP=/$NAME K8TS_CI_HOST_TMPDIR=$HOST_TMP TMPDIR=$DIR
nsenter --net="$NETNS_DIR/$NAME" -- "$@" &
CHILD=$!
wait "$CHILD"

#!/usr/bin/env bash
# `npm start [-- FLAGS]`: installs what is missing, builds, and runs `k8ts server FLAGS` in the
# foreground (Ctrl-C stops it). The server prints the `export KUBECONFIG=...` line to use.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

# The local node runs containerd, runc and CNI plugins (and builds its pause image from catatonit).
section "system packages"
ensure_system_packages || die "installing system packages failed (see above)"
if [[ ! -d node_modules ]]; then
  section "installing node modules"
  ensure_node_modules || die "npm ci failed (see above)"
fi
section "building"
npm run build --silent
section "starting k8ts server $*"
exec bin/k8ts.js server "$@"

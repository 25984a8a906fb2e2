#!/usr/bin/env bash
# `npm test`: installs what the tests need, builds, and runs every check and test tier in order:
#   typecheck, lint, format, unit, integration, e2e, agent, agent-net
# agent-net runs beside agent (each in a network namespace of its own); its output is shown when both
# have ended.
# Every step runs even when an earlier one failed (install and build excepted: nothing can run
# without them); a summary with each step's time and result closes the output, and the exit code is
# non-zero when any step failed.
#
# Usage: bash scripts/test.sh [STEP...]      (default: all steps; e.g. `npm test -- unit e2e`)
# Environment:
#   K8TS_TEST_NO_APT=1     never call apt-get (fail later if something is missing)
#   K8TS_TEST_NPM_CI=1     always run `npm ci`, even when node_modules matches package-lock.json
#   K8TS_E2E_WORKERS=N     e2e test files run at once (default 4)
#   K8TS_AGENT_WORKERS=N   agent test files (each with its own server, containerd and pods) run at
#                          once (default 3)
#   K8TS_SERIAL=1          run agent-net after agent instead of beside it
set -uo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

ALL_STEPS=(typecheck lint format unit integration e2e agent agent-net)
if (($# > 0)); then
  STEPS=("$@")
  for s in "${STEPS[@]}"; do
    [[ " ${ALL_STEPS[*]} " == *" $s "* ]] || die "unknown step '$s' (steps: ${ALL_STEPS[*]})"
  done
else
  STEPS=("${ALL_STEPS[@]}")
fi

# Per-step time limits: CI kills the whole run at 90 minutes; a hung step must fail long before.
declare -A LIMIT=([typecheck]=10m [lint]=15m [format]=5m [unit]=15m [integration]=20m [e2e]=30m [agent]=15m [agent-net]=10m)
declare -A COMMAND=(
  [typecheck]='npx tsc -p tsconfig.json --noEmit'
  [lint]='npx eslint .'
  [format]='npx prettier --check .'
  [unit]='npx vitest run --project unit'
  [integration]='npx vitest run --project integration'
  # e2e files wait on child processes (servers, kubectl) more than they compute: run several at once.
  [e2e]='npx vitest run --project e2e --maxWorkers=${K8TS_E2E_WORKERS:-4}'
  # Real pods: the whole run inside a network namespace of its own (needs root), torn down after.
  [agent]='bash scripts/in-netns.sh npx vitest run --project agent --maxWorkers=${K8TS_AGENT_WORKERS:-3}'
  # Service networking (proxy, DNS, ingress): one node at a time, with its own address, in a
  # namespace of its own (test/agent-net/README.md).
  [agent-net]='bash scripts/in-netns.sh npx vitest run --project agent-net --maxWorkers=1'
)
# Steps that run in the background beside another step (when both are asked for): agent-net's single
# node leaves CPU to spare next to the agent tier, and neither shares a network namespace.
declare -A BESIDE=([agent-net]=agent)
[[ ${K8TS_SERIAL:-} == 1 ]] && BESIDE=()

RESULTS=()
FAILED=0
START_ALL=$SECONDS

# Runs one named step under a time limit and records its result and duration.
run_step() {
  local name=$1 limit=$2 cmd=$3 start rc
  section "$name: $cmd"
  start=$SECONDS
  timeout --kill-after=30s "$limit" bash -c "$cmd"
  rc=$?
  local took=$((SECONDS - start))
  if ((rc == 0)); then
    RESULTS+=("$(printf '%-12s ok      %5ss' "$name" "$took")")
  else
    local why="exit $rc"
    ((rc == 124)) && why="timed out after $limit"
    RESULTS+=("$(printf '%-12s FAILED  %5ss  (%s)' "$name" "$took" "$why")")
    FAILED=1
  fi
  return $rc
}

# Starts STEP in the background beside the foreground step: its output goes to a file, its result
# line and exit code to others; finish_beside prints and records them.
declare -A BG_PID=() BG_DIR=()
start_beside() {
  local name=$1 dir
  dir=$(mktemp -d "${TMPDIR:-/tmp}/k8ts-test-$name.XXXXXX")
  BG_DIR[$name]=$dir
  echo "(running $name in the background; its output follows when it ends)"
  (
    RESULTS=()
    run_step "$name" "${LIMIT[$name]}" "${COMMAND[$name]}"
    rc=$?
    printf '%s\n' "${RESULTS[@]}" >"$dir/result"
    exit "$rc"
  ) >"$dir/output" 2>&1 &
  BG_PID[$name]=$!
}
finish_beside() {
  local name=$1 dir=${BG_DIR[$1]} rc
  wait "${BG_PID[$name]}"
  rc=$?
  cat "$dir/output"
  if [[ -s $dir/result ]]; then
    RESULTS+=("$(cat "$dir/result")")
  else
    RESULTS+=("$(printf '%-12s FAILED  (no result, exit %s)' "$name" "$rc")")
  fi
  ((rc == 0)) || FAILED=1
  rm -rf "$dir"
}

summary() {
  section "summary"
  printf '%s\n' "${RESULTS[@]}"
  printf 'total %ss\n' "$((SECONDS - START_ALL))"
}

section "system packages"
ensure_system_packages || die "installing the system packages failed (see above)"

section "node modules"
ensure_node_modules || die "npm ci failed (see above)"

if ! run_step build 10m 'npm run build'; then
  summary
  die "the build failed; nothing else can run"
fi

for step in "${STEPS[@]}"; do
  partner=${BESIDE[$step]:-}
  # A step that runs beside another one starts with it (when that one is asked for too).
  [[ -n $partner && " ${STEPS[*]} " == *" $partner "* ]] && continue
  beside=()
  for other in "${STEPS[@]}"; do
    [[ ${BESIDE[$other]:-} == "$step" ]] && beside+=("$other") && start_beside "$other"
  done
  run_step "$step" "${LIMIT[$step]}" "${COMMAND[$step]}"
  for other in "${beside[@]}"; do finish_beside "$other"; done
done

summary
if ((FAILED)); then
  echo "npm test: FAILED" >&2
  exit 1
fi
echo "npm test: all steps passed"

#!/usr/bin/env bash
# `npm test`: installs what the tests need, builds, and runs every check and test tier in order:
#   typecheck, lint, format, unit, integration, e2e, agent
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
set -uo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

ALL_STEPS=(typecheck lint format unit integration e2e agent)
if (($# > 0)); then
  STEPS=("$@")
  for s in "${STEPS[@]}"; do
    [[ " ${ALL_STEPS[*]} " == *" $s "* ]] || die "unknown step '$s' (steps: ${ALL_STEPS[*]})"
  done
else
  STEPS=("${ALL_STEPS[@]}")
fi

# Per-step time limits: CI kills the whole run at 90 minutes; a hung step must fail long before.
declare -A LIMIT=([typecheck]=10m [lint]=15m [format]=5m [unit]=15m [integration]=20m [e2e]=30m [agent]=15m)
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
)

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
  run_step "$step" "${LIMIT[$step]}" "${COMMAND[$step]}"
done

summary
if ((FAILED)); then
  echo "npm test: FAILED" >&2
  exit 1
fi
echo "npm test: all steps passed"

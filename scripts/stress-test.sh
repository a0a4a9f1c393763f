#!/usr/bin/env bash
# Runs the test suite N times in a row (default 3) while CPU-bound processes (default 4)
# compete for the cores, the way CI's shared, noisy 2-core machine does. A test that
# depends on machine speed fails here first.
#
#   scripts/stress-test.sh [N] [-- command ...]     (default command: npm test)
#   STRESS_HOGS=6 scripts/stress-test.sh 5
#   scripts/stress-test.sh 1 -- npm run bench -- --quick
#
# Prints one line per run (its log is kept when it fails) and exits non-zero if any run
# failed. The CPU hogs are killed on exit, also on Ctrl-C.
set -uo pipefail
cd "$(dirname "$0")/.."

runs=3
if [[ $# -gt 0 && $1 != "--" ]]; then
  runs=$1
  shift
fi
if [[ ! $runs =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: $0 [N] [-- command ...]  (N: runs, a whole number >= 1)" >&2
  exit 2
fi
[[ $# -gt 0 && $1 == "--" ]] && shift
if [[ $# -gt 0 ]]; then command=("$@"); else command=(npm test); fi
hogs=${STRESS_HOGS:-4}

hog_pids=()
logs=$(mktemp -d "${TMPDIR:-/tmp}/stress-test.XXXXXX")
stop_hogs() {
  for pid in "${hog_pids[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${hog_pids[@]}"; do wait "$pid" 2>/dev/null; done
  hog_pids=()
}
trap stop_hogs EXIT
trap 'stop_hogs; exit 130' INT
trap 'stop_hogs; exit 143' TERM

for ((i = 0; i < hogs; i++)); do
  node -e 'for (;;) {}' &
  hog_pids+=("$!")
done
echo "stress: ${command[*]}, ${runs} run(s), ${hogs} CPU hogs beside it on $(nproc) cores (logs in ${logs})"

failed=0
for ((run = 1; run <= runs; run++)); do
  log="${logs}/run-${run}.log"
  started=$SECONDS
  if "${command[@]}" >"$log" 2>&1; then
    echo "run ${run}/${runs}: PASS in $((SECONDS - started)) s"
    rm -f "$log"
  else
    code=$?
    failed=$((failed + 1))
    echo "run ${run}/${runs}: FAIL (exit ${code}) in $((SECONDS - started)) s, log: ${log}"
    # The failing tests' names, when jest printed any.
    grep -E '^(FAIL |  ● )' "$log" | head -20 | sed 's/^/    /'
  fi
done

stop_hogs
if [[ $failed -gt 0 ]]; then
  echo "stress: ${failed} of ${runs} run(s) failed"
  exit 1
fi
rmdir "$logs" 2>/dev/null
echo "stress: all ${runs} run(s) passed"

#!/usr/bin/env bash
# Start-up time of commands, as the README's Install section reports it: each command runs 10 times
# (after one warm-up run), and the median wall time in milliseconds is printed.
#   plugin/release/startup.sh 'dist/release/bin/linux_amd64/kubectl-verify --version' 'plugin/kubectl-verify --version'
set -euo pipefail
runs=${RUNS:-10}
for cmd in "$@"; do
  bash -c "$cmd" >/dev/null 2>&1 || true
  times=()
  for _ in $(seq "$runs"); do
    start=$(date +%s%N)
    bash -c "$cmd" >/dev/null 2>&1 || true
    end=$(date +%s%N)
    times+=($(((end - start) / 1000000)))
  done
  sorted=($(printf '%s\n' "${times[@]}" | sort -n))
  mid=$((runs / 2))
  if ((runs % 2)); then median=${sorted[$mid]}; else median=$(((sorted[mid - 1] + sorted[mid]) / 2)); fi
  printf '%6s ms  %s\n' "$median" "$cmd"
done

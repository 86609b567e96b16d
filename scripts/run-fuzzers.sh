#!/usr/bin/env bash
# Runs every fuzz target of BUILD_DIR (make fuzz) for SECONDS each, from the seed corpus in
# fuzz/corpus/<name> (new inputs go to a temporary directory, never into the repository), and
# prints one line per target: executions per second, coverage and features. Exits non-zero on
# the first crash, leaving the input in BUILD_DIR/fuzz.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-fuzz}
seconds=${2:-60}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf '%-16s %10s %8s %8s %8s\n' target execs/s cov ft corpus
for bin in "$build"/fuzz/fuzz_*; do
  name=${bin##*/fuzz_}
  mkdir -p "$work/$name"
  log="$work/$name.log"
  if ! (cd "$build/fuzz" && ASAN_OPTIONS=detect_leaks=1 "./fuzz_$name" -max_total_time="$seconds" \
        -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 "$work/$name" "$OLDPWD/fuzz/corpus/$name") \
        >"$log" 2>&1; then
    tail -40 "$log" >&2
    echo "run-fuzzers: fuzz_$name crashed (input kept in $build/fuzz)" >&2
    exit 1
  fi
  done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1 || true)
  execs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}' || true)
  cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$done_line")
  ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$done_line")
  corp=$(sed -nE 's/.* corp: ([0-9]+).*/\1/p' <<<"$done_line")
  printf '%-16s %10s %8s %8s %8s\n' "$name" "$((execs / seconds))" "$cov" "$ft" "$corp"
done

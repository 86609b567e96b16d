#!/usr/bin/env bash
# Benchmarks the API on this machine: starts floe serve (SQLite, fresh data dir) on a free port,
# drives it with floe_api_bench at a fixed concurrency, stops it. Usage: bench/api/run.sh [BUILD_DIR]
# Environment: CONCURRENCY (32), SECONDS_PER_PHASE (10).
set -euo pipefail
build=${1:-build}
data=$(mktemp -d /tmp/floe-bench-XXXXXX)
log="$data/serve.log"
"$build/floe" serve --listen 127.0.0.1:0 --data-dir "$data" 2>"$log" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$data"' EXIT
port=""
for _ in $(seq 1 100); do
  port=$(grep -o 'event=listening endpoint=http://127.0.0.1:[0-9]*' "$log" | grep -o '[0-9]*$' || true)
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { cat "$log"; exit 1; }
"$build/bench/floe_api_bench" --port "$port" --credentials "$data/credentials.json" \
  --concurrency "${CONCURRENCY:-32}" --seconds "${SECONDS_PER_PHASE:-10}"

#!/usr/bin/env bash
# Benchmarks the API on this machine: starts floe serve on free ports, drives it with
# floe_api_bench at a fixed concurrency, stops it. Usage: bench/api/run.sh [BUILD_DIR]
# Environment: CONCURRENCY (32), SECONDS_PER_PHASE (10); STORE (sqlite: a fresh data dir;
# postgres: a private PostgreSQL started here, fsync on, as a user runs it) and NODES (1; with
# postgres, 2 starts a second `floe serve` on the same database and spreads the connections
# over both); TIMELINE=1 also prints each phase second by second (p50, p99, max).
set -euo pipefail
build=${1:-build}
store=${STORE:-sqlite}
nodes=${NODES:-1}
root=$(cd "$(dirname "$0")/../.." && pwd)
data=$(mktemp -d /tmp/floe-bench-XXXXXX)
pg=$(mktemp -d /tmp/floe-bench-pg-XXXXXX)  # not under $data: PostgreSQL runs as its own user
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  "$root/tests/store/pg-fixture.sh" stop "$pg"
  rm -rf "$data"
}
trap cleanup EXIT

args=()
if [ "$store" = postgres ]; then
  "$root/tests/store/pg-fixture.sh" start "$pg" durable
  args=(--store "postgres://postgres@127.0.0.1:$(cat "$pg/port")/postgres")
elif [ "$nodes" != 1 ]; then
  echo "NODES=$nodes needs STORE=postgres (a SQLite store has one node)" >&2
  exit 2
fi

# Starts node $1; its port goes to $port.
start_node() {
  local dir="$data/node-$1"
  mkdir -p "$dir"
  # Every node of a cluster shares the first one's master key.
  [ "$1" -gt 1 ] && cp "$data/node-1/master.key" "$dir/master.key"
  "$build/floe" serve --listen 127.0.0.1:0 --data-dir "$dir" --node-id "bench-$1" "${args[@]}" \
    >"$dir/ready.txt" 2>"$dir/serve.log" &
  pids+=($!)
  port=""
  for _ in $(seq 1 100); do
    port=$(grep -o 'event=listening endpoint=http://127.0.0.1:[0-9]*' "$dir/serve.log" |
      grep -o '[0-9]*$' || true)
    [ -n "$port" ] && break
    sleep 0.1
  done
  [ -n "$port" ] || { cat "$dir/serve.log" >&2; exit 1; }
}

start_node 1
ports=$port
for n in $(seq 2 "$nodes"); do
  start_node "$n"
  ports="$ports,$port"
done
echo "store: $store, $nodes node(s)"
out="$data/bench.txt"
"$build/bench/floe_api_bench" --port "$ports" --credentials "$data/node-1/credentials.json" \
  --concurrency "${CONCURRENCY:-32}" --seconds "${SECONDS_PER_PHASE:-10}" \
  --timeline "${TIMELINE:-0}" | tee "$out"
# SUMMARY=FILE: this run's row (store, nodes, then req/s and p99 of each signed phase) appended,
# for bench/api/side-by-side.sh.
if [ -n "${SUMMARY:-}" ]; then
  awk -v label="$store, $nodes node(s)" '
    /^(GetLive|UpdateLive)/ { row = row " | " $2 "/s, p99 " $8 " ms" }
    END { print label row }' "$out" >>"$SUMMARY"
fi

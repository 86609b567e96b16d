#!/usr/bin/env bash
# The lease protocol under the load of a large cluster: a private PostgreSQL (fsync on, as a user
# runs it) started here, and floe_lease_load driving it as if from WORKERS workers holding JOBS
# jobs. Usage: bench/cluster/run.sh [BUILD_DIR]. Environment: WORKERS (1000), JOBS (10000),
# SECONDS_STEADY (30), THREADS (32), KILL (10), HEARTBEAT_MS (1000), LEASE_MS (3000).
set -euo pipefail
build=${1:-build}
root=$(cd "$(dirname "$0")/../.." && pwd)
pg=$(mktemp -d /tmp/floe-leases-XXXXXX)
trap '"$root/tests/store/pg-fixture.sh" stop "$pg"' EXIT
"$root/tests/store/pg-fixture.sh" start "$pg" durable
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}'), fsync on, on this machine"
"$build/bench/floe_lease_load" --store "postgres://postgres@127.0.0.1:$(cat "$pg/port")/postgres" \
  --workers "${WORKERS:-1000}" --jobs "${JOBS:-10000}" --seconds "${SECONDS_STEADY:-30}" \
  --threads "${THREADS:-32}" --kill "${KILL:-10}" --heartbeat-ms "${HEARTBEAT_MS:-1000}" \
  --lease-ms "${LEASE_MS:-3000}"

#!/usr/bin/env bash
# `make run`: starts floe serve on LISTEN with its SQLite store under DATA_DIR (and metrics on
# METRICS_LISTEN), waits until it is healthy, shows the template API working through the
# official SDK and a live transcoding job working (scripts/demo-job.sh), prints Floe's ready
# block, then keeps serving until Ctrl-C (or SIGTERM), which stops Floe cleanly. LiveCenter jobs
# of the domain demo.floe.local push to the demo's nginx-rtmp. The access log is
# DATA_DIR/access.log, so the demo's lines stand on their own.
set -euo pipefail
bin=$1 listen=$2 data_dir=$3 metrics_listen=$4
cd "$(dirname "$0")/.."

# The demo's private nginx-rtmp, and the LiveCenter domain that pushes into it.
demo_port=${DEMO_RTMP_PORT:-19350}
demo_domain=demo.floe.local
# The demo input is a local nginx-rtmp: --allow-net lets jobs reach loopback (refused by default).
# Floe's ready block (its standard output) is shown after the demo, as the last thing on screen.
ready=$(mktemp)
"$bin" serve --listen "$listen" --data-dir "$data_dir" --allow-net 127.0.0.0/8 \
  --metrics-listen "$metrics_listen" --live-center "$demo_domain=rtmp://127.0.0.1:$demo_port" >"$ready" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid; rm -f "$ready"' INT TERM

for _ in $(seq 1 100); do
  curl -fsS "http://$listen/healthz" >/dev/null 2>&1 && break
  kill -0 $pid 2>/dev/null || { echo "floe serve exited; see the log above" >&2; exit 1; }
  sleep 0.1
done

node scripts/demo.js "http://$listen" "$data_dir/credentials.json"
scripts/demo-job.sh "http://$listen" "$data_dir" "$demo_port" "$demo_domain" ||
  echo "demo: the live transcoding job demo failed (see above)" >&2

cat "$ready"
echo "Press Ctrl-C to stop."
wait $pid

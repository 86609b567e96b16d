#!/usr/bin/env bash
# `make run`: starts floe serve on LISTEN with its SQLite store under DATA_DIR, waits until it is
# healthy, shows the template API working through the official SDK and a live transcoding job
# working (scripts/demo-job.sh), then keeps serving until Ctrl-C (or SIGTERM), which stops Floe
# cleanly. LiveCenter jobs of the domain demo.floe.local push to the demo's nginx-rtmp.
set -euo pipefail
bin=$1 listen=$2 data_dir=$3
cd "$(dirname "$0")/.."

# The demo's private nginx-rtmp, and the LiveCenter domain that pushes into it.
demo_port=${DEMO_RTMP_PORT:-19350}
demo_domain=demo.floe.local
# The demo input is a local nginx-rtmp: --allow-net lets jobs reach loopback (refused by default).
"$bin" serve --listen "$listen" --data-dir "$data_dir" --allow-net 127.0.0.0/8 \
  --live-center "$demo_domain=rtmp://127.0.0.1:$demo_port" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid' INT TERM

for _ in $(seq 1 100); do
  curl -fsS "http://$listen/healthz" >/dev/null 2>&1 && break
  kill -0 $pid 2>/dev/null || { echo "floe serve exited; see the log above" >&2; exit 1; }
  sleep 0.1
done

node scripts/demo.js "http://$listen" "$data_dir/credentials.json"
scripts/demo-job.sh "http://$listen" "$data_dir" "$demo_port" "$demo_domain" ||
  echo "demo: the live transcoding job demo failed (see above)" >&2

cat <<TXT

Floe is serving the ICE 2020-11-09 API at http://$listen
  store:        SQLite, $data_dir/floe.db
  credentials:  $data_dir/credentials.json  (root AccessKeyId and AccessKeySecret, mode 0600)
  health:       curl http://$listen/healthz
Press Ctrl-C to stop.
TXT
wait $pid

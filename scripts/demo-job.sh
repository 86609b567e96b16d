#!/usr/bin/env bash
# Part of `make run`: shows a live transcoding job working on this machine. A private nginx with
# the RTMP module listens on 127.0.0.1:PORT; ffmpeg publishes a live test pattern into it (the
# part a broadcaster plays); scripts/demo-job.js submits a job through the API that transcodes it
# to 640x360 and pushes it back through the LiveCenter DOMAIN, shows it with ffprobe, stops it.
# Usage: scripts/demo-job.sh ENDPOINT DATA_DIR PORT DOMAIN
set -euo pipefail
source "$(dirname "$0")/nginx-rtmp.sh"
endpoint=$1 data_dir=$2 port=$3 domain=$4
work="$(cd "$data_dir" && pwd)/demo"
rm -rf "$work" && mkdir -p "$work"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
start_nginx "$work" "$port"
pids+=("$NGINX_PID")
sleep 0.5
ffmpeg -hide_banner -loglevel error -re -f lavfi -i testsrc2=size=1280x720:rate=30 \
  -f lavfi -i sine=frequency=440:sample_rate=48000 -t 20 -c:v libx264 -preset ultrafast \
  -tune zerolatency -g 30 -c:a aac -f flv "rtmp://127.0.0.1:$port/live/source" 2>/dev/null & pids+=($!)
sleep 1.5
node scripts/demo-job.js "$endpoint" "$data_dir/credentials.json" "$port" "$domain"

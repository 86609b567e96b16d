#!/usr/bin/env bash
# Recording benchmark: `floe record` against the ffmpeg CLI copying the same input into the same
# three containers (its tee muxer: HLS with 10 s segments, FLV, fragmented MP4), in one run.
# The input is a 1080p30 H.264 (8 Mbit/s) + AAC HLS VOD served over http on 127.0.0.1, read by
# both as fast as they can, so CPU per second of media says what a live recording costs: the
# share of one core it keeps busy (issue 23's target: ≤ 2 % for a record job). CPU is user+system
# time of the process (GNU time), the median of REPEAT runs of each side.
# Usage: bench/record/run.sh [BUILD_DIR]   Environment: SECONDS_OF_INPUT (60), REPEAT (3)
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
build=${1:-build}
secs=${SECONDS_OF_INPUT:-60}
floe="$PWD/$build/floe"
work=$(mktemp -d /tmp/floe-bench-record-XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

port_http=$(free_port)
mkdir -p "$work/hls"
echo "generating ${secs}s of 1080p30 input…" >&2
ffmpeg -hide_banner -loglevel error -f lavfi -i "testsrc2=size=1920x1080:rate=30" \
  -f lavfi -i "sine=frequency=440:sample_rate=48000" -t "$secs" -c:v libx264 -preset ultrafast -g 60 \
  -b:v 8M -c:a aac -b:a 128k -f hls -hls_time 2 -hls_list_size 0 "$work/hls/index.m3u8"
(cd "$work/hls" && exec python3 -m http.server "$port_http" --bind 127.0.0.1 >/dev/null 2>&1) & pids+=($!)
sleep 1
input="http://127.0.0.1:$port_http/index.m3u8"

floe_run() {
  rm -rf "$work/floe" && mkdir -p "$work/floe"
  cpu "$floe" --log-level error record --allow-net 127.0.0.0/8 --input "$input" --dir "$work/floe" \
    --reconnect-window-ms 100 --job-id bench --record-format \
    '[{"Format":"m3u8","SliceDuration":10,"SliceOssObjectPrefix":"record/{JobId}/{UnixTimestamp}_{Sequence}"},{"Format":"flv"},{"Format":"mp4"}]'
  echo "floe files: $(python3 -c 'import json,sys; print([(f["Format"], round(f["Duration"],1)) for f in map(json.loads, open(sys.argv[1]))])' "$work/stdout")" >&2
}
cli_run() {
  rm -rf "$work/cli" && mkdir -p "$work/cli"
  cpu ffmpeg -hide_banner -loglevel error -i "$input" -map 0:v -map 0:a -c copy -f tee \
    "[f=hls:hls_time=10:hls_list_size=0]$work/cli/a.m3u8|[f=flv]$work/cli/a.flv|[f=mp4:movflags=frag_keyframe+empty_moov+default_base_moof]$work/cli/a.mp4"
  echo "cli files: $(ls "$work/cli" | wc -l)" >&2
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "input: ${secs}s 1920x1080@30 H.264 8 Mbit/s + AAC, HLS over http; recorded to m3u8 + flv + mp4"
repeat=${REPEAT:-3}
fr=() cr=()
for _ in $(seq "$repeat"); do
  fr+=("$(floe_run)") && [ -n "${fr[-1]}" ] || { echo "floe record failed" >&2; exit 1; }
  cr+=("$(cli_run)") && [ -n "${cr[-1]}" ] || { echo "the ffmpeg CLI failed" >&2; exit 1; }
done
f=$(echo "${fr[*]}" | median)
c=$(echo "${cr[*]}" | median)
echo "runs: floe ${fr[*]}; CLI ${cr[*]} CPU-s"
echo "record by copy to m3u8+flv+mp4: floe $f CPU-s, ffmpeg CLI $c CPU-s for ${secs}s of media;" \
  "share of one core in real time: floe $(echo "$f $secs" | awk '{printf "%.2f", 100*$1/$2}') %," \
  "CLI $(echo "$c $secs" | awk '{printf "%.2f", 100*$1/$2}') % (target ≤ 2 %); ratio floe/CLI" \
  "$(echo "$f $c" | awk '{printf "%.3f", $1/$2}')"

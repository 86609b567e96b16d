#!/usr/bin/env bash
# Latency one transcode hop adds through nginx-rtmp (issue 4, item 8c), Floe against the ffmpeg
# CLI in one run, and the quality (SSIM) the live defaults cost.
#
# A 720p30 H.264+AAC source carrying a burned-in frame counter (16 blocks across the top of the
# picture) is published in real time to a private nginx-rtmp. The transcoder (Floe, or the CLI
# as the reference) pulls it and pushes 720p30 x264 veryfast back. Two floe_latency_probe
# processes subscribe to the input and to the output at once, stamp each video packet's arrival
# and decode the counter; frames are paired by counter (Floe regenerates timestamps, so PTS
# cannot pair them). Added latency = median of output arrival − input arrival, over MEASURE
# seconds after WARMUP seconds.
# Usage: bench/media/latency.sh [BUILD_DIR]   Environment: WARMUP (8), MEASURE (30)
set -euo pipefail
source "$(dirname "$0")/../../scripts/nginx-rtmp.sh"
build=${1:-build}
warmup=${WARMUP:-8}
measure=${MEASURE:-30}
floe="$PWD/$build/floe"
probe="$PWD/$build/bench/floe_latency_probe"
work=$(mktemp -d /tmp/floe-bench-latency-XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
port_rtmp=$(free_port)
start_nginx "$work/nginx" "$port_rtmp"
pids+=("$NGINX_PID")
url() { echo "rtmp://127.0.0.1:$port_rtmp/live/$1"; }

total=$((warmup + measure + 15))
echo "generating ${total}s of 720p30 input with a frame counter…" >&2
# The counter: a 16×2 grey picture whose block X is white when bit X of the frame number is
# set, scaled up (nearest neighbour) over the top eighth of a moving test pattern.
ffmpeg -hide_banner -loglevel error -f lavfi -i "testsrc2=size=1280x720:rate=30" \
  -f lavfi -i "sine=frequency=440:sample_rate=48000" -filter_complex \
  "nullsrc=size=16x2:rate=30,format=gray,geq=lum='255*mod(floor(N/pow(2,X)),2)',scale=1280:90:flags=neighbor,format=yuv420p[bar];[0:v][bar]overlay=0:0:shortest=1[v]" \
  -map "[v]" -map 1:a -t "$total" -c:v libx264 -preset veryfast -tune zerolatency -g 60 -b:v 4M \
  -c:a aac -b:a 128k -f flv "$work/src.flv"

printf '{"Type":"normal","TemplateConfig":{"VideoParams":{"Codec":"H.264","Width":"1280","Height":"720","Fps":"30","Bitrate":"2500","Gop":"60","Profile":"3"},"AudioParams":{"Codec":"AAC","Bitrate":"128","Samplerate":"48000","Channels":"2"}}}' > "$work/t.json"

# run NAME TRANSCODER-COMMAND…: publishes the source to in-NAME, runs the transcoder (which
# reads in-NAME and writes out-NAME), probes both, prints the median added latency in ms.
run() {
  local name=$1; shift
  ffmpeg -hide_banner -loglevel error -re -i "$work/src.flv" -c copy -f flv "$(url "in-$name")" & local pub=$!
  sleep 1
  "$@" >"$work/$name.log" 2>&1 & local tr=$!
  sleep "$warmup"
  "$probe" "$(url "in-$name")" "$measure" > "$work/$name.in" & local p1=$!
  "$probe" "$(url "out-$name")" "$measure" > "$work/$name.out" & local p2=$!
  wait "$p1" "$p2" || true
  kill "$tr" "$pub" 2>/dev/null || true
  wait "$tr" "$pub" 2>/dev/null || true
  awk 'NR==FNR {t[$1]=$2; next} ($1 in t) {print $2 - t[$1]}' "$work/$name.in" "$work/$name.out" |
    sort -n | awk '{v[NR]=$1} END {if (NR == 0) {print "none"; exit} printf "%d %d %d\n", v[int((NR+1)/2)], v[int(NR*0.1)+1], v[int(NR*0.9)]}' > "$work/$name.lat"
  read -r med p10 p90 < "$work/$name.lat"
  printf '%-34s median %5s ms   (p10 %s, p90 %s; %s frames paired)\n' "$name" "$med" "$p10" "$p90" \
    "$(awk 'NR==FNR {t[$1]; next} ($1 in t)' "$work/$name.in" "$work/$name.out" | wc -l)"
  echo "$med" > "$work/$name.median"
}

cli() {  # name, then extra x264 options
  local name=$1; shift
  run "$name" ffmpeg -hide_banner -loglevel error -i "$(url "in-$name")" -c:v libx264 -preset veryfast "$@" \
    -profile:v high -b:v 2500k -maxrate 2500k -bufsize 3750k -g 60 -keyint_min 60 \
    -x264-params scenecut=0:open-gop=0 -c:a aac -b:a 128k -ar 48000 -ac 2 -f flv "$(url "out-$name")"
}
floe_run() {  # name, then extra transcode options
  local name=$1; shift
  run "$name" "$floe" --log-level error transcode --allow-net 127.0.0.0/8 --input "$(url "in-$name")" --template "$work/t.json" \
    --output "$(url "out-$name")" "$@"
}

echo "machine: $(nproc) cores; 720p30 → 720p30 x264 veryfast 2500k + AAC; warm-up ${warmup}s, measured ${measure}s"
cli "cli-tune-zerolatency" -tune zerolatency
cli "cli-default-tune"
floe_run "floe-live-defaults"
floe_run "floe-default-tune" --x264-tune none
echo "ratio Floe live defaults / CLI zerolatency: $(awk -v a="$(cat "$work/floe-live-defaults.median")" \
  -v b="$(cat "$work/cli-tune-zerolatency.median")" 'BEGIN {printf "%.2f", a/b}') (target: Floe ≤ 150 ms)"

# The quality the live defaults cost, at the same bitrate: SSIM of each setting against the
# source, through the same libx264 as Floe (the CLI runs the encoder with Floe's settings).
echo "quality cost of the live defaults (SSIM against the source, 10 s of 1080p testsrc2, 2500k 720p):"
ffmpeg -hide_banner -loglevel error -f lavfi -i "testsrc2=size=1920x1080:rate=30" -t 10 \
  -c:v libx264 -preset veryfast -crf 4 "$work/q-src.mkv"
ffmpeg -hide_banner -loglevel error -i "$work/q-src.mkv" -vf scale=1280:720:flags=lanczos \
  -c:v libx264 -preset veryfast -crf 0 "$work/q-ref.mkv"
ssim() {  # label, then the options of one encode from the 1080p source
  local label=$1; shift
  ffmpeg -hide_banner -loglevel error -i "$work/q-src.mkv" "$@" -c:v libx264 -preset veryfast -profile:v high \
    -b:v 2500k -maxrate 2500k -bufsize 3750k -g 60 -keyint_min 60 -x264-params scenecut=0:open-gop=0 \
    -y "$work/q.mkv"
  local s
  s=$(ffmpeg -hide_banner -nostats -i "$work/q.mkv" -i "$work/q-ref.mkv" -lavfi ssim -f null - 2>&1 |
    grep -o 'All:[0-9.]*' | cut -d: -f2)
  printf '  %-44s SSIM %s\n' "$label" "$s"
}
ssim "tune zerolatency + bilinear (Floe's defaults)" -tune zerolatency -vf scale=1280:720:flags=bilinear
ssim "default tune + bilinear" -vf scale=1280:720:flags=bilinear
ssim "tune zerolatency + bicubic" -tune zerolatency -vf scale=1280:720:flags=bicubic

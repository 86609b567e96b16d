#!/usr/bin/env bash
# Media benchmark: Floe against the ffmpeg CLI on the same generated 1080p30 input, in one run.
#   (a) CPU-seconds per output frame, 1080p→720p x264 veryfast, identical encoder settings
#   (b) a 1080p/720p/480p ladder from one Floe decode against three separate CLI processes
# The input is a 1080p30 H.264+AAC HLS VOD served over http on 127.0.0.1, so both sides decode
# the same bytes as fast as they can; outputs go to a private nginx-rtmp. CPU is user+system
# time of the process (GNU time); (a) takes the median of REPEAT runs of each side.
# Usage: bench/media/run.sh [BUILD_DIR]   Environment: SECONDS_OF_INPUT (20), REPEAT (3)
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
build=${1:-build}
secs=${SECONDS_OF_INPUT:-20}
floe="$PWD/$build/floe"
work=$(mktemp -d /tmp/floe-bench-media-XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

port_http=$(free_port)
port_rtmp=$(free_port)
mkdir -p "$work/hls"
echo "generating ${secs}s of 1080p30 input…" >&2
ffmpeg -hide_banner -loglevel error -f lavfi -i "testsrc2=size=1920x1080:rate=30" \
  -f lavfi -i "sine=frequency=440:sample_rate=48000" -t "$secs" -c:v libx264 -preset veryfast -g 60 \
  -b:v 8M -c:a aac -b:a 128k -f hls -hls_time 2 -hls_list_size 0 "$work/hls/index.m3u8"
(cd "$work/hls" && exec python3 -m http.server "$port_http" --bind 127.0.0.1 >/dev/null 2>&1) & pids+=($!)
start_nginx "$work/nginx" "$port_rtmp"
pids+=("$NGINX_PID")
sleep 1
input="http://127.0.0.1:$port_http/index.m3u8"
out() { echo "rtmp://127.0.0.1:$port_rtmp/live/$1"; }


template() {  # height bitrate(kbit/s)
  printf '{"Type":"normal","TemplateConfig":{"VideoParams":{"Codec":"H.264","Height":"%s","Fps":"30","Bitrate":"%s","Gop":"60","Profile":"3"},"AudioParams":{"Codec":"AAC","Bitrate":"128","Samplerate":"48000","Channels":"2"}}}' "$1" "$2"
}
template 720 2500 > "$work/t720.json"
template 1080 4500 > "$work/t1080.json"
template 480 1200 > "$work/t480.json"

# The CLI with the settings Floe uses for the same template (see src/media/encoder.cc).
cli() {  # height bitrate output
  local b=$2
  cpu ffmpeg -hide_banner -loglevel error -i "$input" \
    -vf "scale=-2:$1:flags=bilinear,fps=30" -c:v libx264 -preset veryfast -tune zerolatency -profile:v high \
    -b:v ${b}k -maxrate ${b}k -bufsize $((b * 3 / 2))k -g 60 -keyint_min 60 -x264-params scenecut=0:open-gop=0 \
    -c:a aac -b:a 128k -ar 48000 -ac 2 -progress "$work/progress" -f flv "$3"
  echo "cli frames=$(grep '^frame=' "$work/progress" | tail -n 1 | cut -d= -f2)" >&2
}
frames=$((secs * 30))
floe_run() {
  cpu "$floe" --log-level error transcode --allow-net 127.0.0.0/8 --stats --input "$input" --reconnect-window-ms 100 "$@"
  echo "floe frames=$(tail -n 1 "$work/stdout" | python3 -c 'import json,sys; print([o["frames"] for o in json.load(sys.stdin)["outputs"]])')" >&2
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "input: ${secs}s 1920x1080@30 H.264 8 Mbit/s + AAC, HLS over http; ${frames} output frames per rendition"

repeat=${REPEAT:-3}

# (a) one rendition, 1080p → 720p; each side $repeat times, alternating, medians compared.
fa=() ca=()
for _ in $(seq "$repeat"); do
  fa+=("$(floe_run --template "$work/t720.json" --output "$(out floe720)")")
  ca+=("$(cli 720 2500 "$(out cli720)")")
done
f_a=$(echo "${fa[*]}" | median)
c_a=$(echo "${ca[*]}" | median)
echo "(a) runs: floe ${fa[*]}; CLI ${ca[*]} CPU-s"
echo "(a) 1080p→720p x264 veryfast: floe $f_a CPU-s, ffmpeg CLI $c_a CPU-s; per frame floe $(echo "$f_a $frames" | awk '{printf "%.2f", 1000*$1/$2}') ms, CLI $(echo "$c_a $frames" | awk '{printf "%.2f", 1000*$1/$2}') ms; ratio floe/CLI $(echo "$f_a $c_a" | awk '{printf "%.3f", $1/$2}') (target ≤ 1.0)"

# (b) the ladder: one Floe process against three CLI processes run one after another.
f_b=$(floe_run --template "$work/t1080.json" --output "$(out l1080)" --template "$work/t720.json" \
  --output "$(out l720)" --template "$work/t480.json" --output "$(out l480)")
c_b1=$(cli 1080 4500 "$(out c1080)")
c_b2=$(cli 720 2500 "$(out c720)")
c_b3=$(cli 480 1200 "$(out c480)")
c_b=$(echo "$c_b1 $c_b2 $c_b3" | awk '{print $1 + $2 + $3}')
echo "(b) 1080p/720p/480p ladder: floe one decode $f_b CPU-s, three CLI processes $c_b CPU-s ($c_b1 + $c_b2 + $c_b3); ratio $(echo "$f_b $c_b" | awk '{printf "%.3f", $1/$2}') (target ≤ 0.85)"

#!/usr/bin/env bash
# Narrow-band against normal: the bitrate narrow-band saves, and the quality (SSIM, PSNR against
# the source) each reaches, on three kinds of content: a static test pattern, a moving test
# pattern and high-motion noise. Both renditions come from one `floe transcode` run (same cap: Bitrate 3000, 720p30),
# recorded through Floe's HLS output and compared with ffmpeg's ssim/psnr filters.
# Usage: bench/media/narrowband.sh [BUILD_DIR]   Environment: SECONDS_OF_INPUT (10)
set -euo pipefail
build=${1:-build}
secs=${SECONDS_OF_INPUT:-10}
floe="$PWD/$build/floe"
work=$(mktemp -d /tmp/floe-bench-nb-XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
port_http=$(free_port)
port_rtmp=$(free_port)
mkdir -p "$work/nginx/logs" "$work/src"
cat > "$work/nginx/nginx.conf" <<CONF
load_module /usr/lib/nginx/modules/ngx_rtmp_module.so;
daemon off;
master_process off;
error_log $work/nginx/logs/error.log warn;
pid $work/nginx/nginx.pid;
events { worker_connections 64; }
rtmp { server { listen 127.0.0.1:$port_rtmp; application live { live on; record off; } } }
CONF
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" & pids+=($!)
(cd "$work/src" && exec python3 -m http.server "$port_http" --bind 127.0.0.1 >/dev/null 2>&1) & pids+=($!)
sleep 1

tpl() {  # type
  printf '{"Type":"%s","TemplateConfig":{"VideoParams":{"Codec":"H.264","Width":"1280","Height":"720","Fps":"30","Bitrate":"3000","Gop":"60","Profile":"3"}}}' "$1"
}
tpl normal > "$work/normal.json"
tpl narrow-band > "$work/narrow.json"

kbps() {  # video kbit/s of an HLS recording
  ffprobe -v error -select_streams v:0 -show_entries packet=size,pts_time -of csv=p=0 "$1" |
    awk -F, '{s+=$2; if (NR==1) a=$1; b=$1} END {printf "%.0f", s*8/1000/(b-a)}'
}
quality() {  # recording source → "ssim psnr"
  ffmpeg -hide_banner -nostats -i "$1" -i "$2" -lavfi \
    "[0:v]setpts=PTS-STARTPTS,split[a0][a1];[1:v]setpts=PTS-STARTPTS,split[b0][b1];[a0][b0]ssim;[a1][b1]psnr" \
    -f null - 2>&1 | awk '/SSIM/ {for (i=1;i<=NF;i++) if ($i ~ /^All:/) {sub("All:","",$i); s=$i}}
                         /PSNR/ {for (i=1;i<=NF;i++) if ($i ~ /^average:/) {sub("average:","",$i); p=$i}}
                         END {print s, p}'
}

echo "machine: $(nproc) cores; ${secs}s of 1280x720@30 per content; both renditions capped at 3000 kbit/s"
printf '%-22s %-12s %8s %8s %8s\n' content rendition kbps SSIM PSNR
for content in static motion noise; do
  case $content in
    static) src="smptehdbars=size=1280x720:rate=30" ;;
    motion) src="testsrc2=size=1280x720:rate=30" ;;
    noise) src="testsrc2=size=1280x720:rate=30,noise=alls=24:allf=t+u" ;;
  esac
  rm -rf "$work/src"/* "$work/out"
  # Near-lossless source (the reference for SSIM/PSNR), served as an HLS VOD.
  ffmpeg -hide_banner -loglevel error -f lavfi -i "$src" -t "$secs" -c:v libx264 -preset veryfast -crf 4 \
    -g 60 -f hls -hls_time 2 -hls_list_size 0 "$work/src/index.m3u8"
  "$floe" --log-level error transcode --input "http://127.0.0.1:$port_http/index.m3u8" --reconnect-window-ms 100 \
    --template "$work/normal.json" --output "rtmp://127.0.0.1:$port_rtmp/live/n-$content" \
    --template "$work/narrow.json" --output "rtmp://127.0.0.1:$port_rtmp/live/nb-$content" --hls "$work/out"
  declare -A k q
  for i in 0 1; do
    k[$i]=$(kbps "$work/out/$i/index.m3u8")
    q[$i]=$(quality "$work/out/$i/index.m3u8" "$work/src/index.m3u8")
  done
  printf '%-22s %-12s %8s %8s %8s\n' "$content" normal "${k[0]}" ${q[0]}
  printf '%-22s %-12s %8s %8s %8s\n' "$content" narrow-band "${k[1]}" ${q[1]}
  echo "$content: narrow-band uses $(echo "${k[1]} ${k[0]}" | awk '{printf "%.1f", 100*(1-$1/$2)}')% fewer bits than normal"
done

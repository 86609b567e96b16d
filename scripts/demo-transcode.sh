#!/usr/bin/env bash
# Part of `make run`: shows a live transcode working on this machine. A private nginx with the
# RTMP module listens on 127.0.0.1:$DEMO_RTMP_PORT (default 19350); ffmpeg publishes a live test
# pattern into it (the part a broadcaster plays); `floe transcode` turns it into a 640x360
# rendition on the same server for 12 s, printing its stats; ffprobe shows what came out.
set -euo pipefail
bin=$1 data_dir=$2
port=${DEMO_RTMP_PORT:-19350}
work="$data_dir/demo"
rm -rf "$work" && mkdir -p "$work/logs"
cat > "$work/nginx.conf" <<CONF
load_module /usr/lib/nginx/modules/ngx_rtmp_module.so;
daemon off;
master_process off;
error_log $PWD/$work/logs/error.log warn;
pid $PWD/$work/nginx.pid;
events { worker_connections 64; }
rtmp { server { listen 127.0.0.1:$port; application live { live on; record off; } } }
CONF
cat > "$work/template.json" <<'JSON'
{"Type": "normal", "TemplateConfig": {
  "VideoParams": {"Codec": "H.264", "Height": "360", "Fps": "25", "Bitrate": "800", "Gop": "50", "Profile": "2"},
  "AudioParams": {"Codec": "AAC", "Bitrate": "96", "Samplerate": "44100", "Channels": "2"}}}
JSON
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
nginx -p "$PWD/$work" -c "$PWD/$work/nginx.conf" & pids+=($!)
sleep 0.5
ffmpeg -hide_banner -loglevel error -re -f lavfi -i testsrc2=size=1280x720:rate=30 \
  -f lavfi -i sine=frequency=440:sample_rate=48000 -t 20 -c:v libx264 -preset ultrafast \
  -tune zerolatency -g 30 -c:a aac -f flv "rtmp://127.0.0.1:$port/live/source" 2>/dev/null & pids+=($!)
sleep 1.5
echo "demo: floe transcode rtmp://127.0.0.1:$port/live/source (1280x720@30) -> rtmp://127.0.0.1:$port/live/demo-360p"
"$bin" --log-level warn transcode --template "$work/template.json" \
  --input "rtmp://127.0.0.1:$port/live/source" --output "rtmp://127.0.0.1:$port/live/demo-360p" \
  --stats > "$work/stats.jsonl" & tpid=$!
pids+=($tpid)
sleep 4
echo "demo: ffprobe of the output while it is live:"
timeout 15 ffprobe -hide_banner -v error -show_entries stream=codec_name,profile,width,height,r_frame_rate,sample_rate,channels \
  -of compact=p=0 "rtmp://127.0.0.1:$port/live/demo-360p" | sed 's/^/demo:   /'
sleep 6
kill -TERM $tpid 2>/dev/null || true
wait $tpid || true
echo "demo: last stats line: $(tail -n 1 "$work/stats.jsonl")"

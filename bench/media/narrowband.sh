#!/usr/bin/env bash
# Narrow-band against normal: the bitrate narrow-band saves, and the quality (SSIM, PSNR against
# the source) each reaches, on three kinds of content: a static test pattern, a moving test
# pattern and high-motion noise, for H.264 and H.265 at 720p30. Each run of `floe transcode`
# makes all renditions of one content from one decode; they are recorded through Floe's HLS
# output and compared with the source by ffmpeg's ssim/psnr filters.
# Usage: bench/media/narrowband.sh [BUILD_DIR]   Environment: SECONDS_OF_INPUT (30)
set -euo pipefail
source "$(dirname "$0")/../../scripts/nginx-rtmp.sh"
build=${1:-build}
secs=${SECONDS_OF_INPUT:-30}
floe="$PWD/$build/floe"
work=$(mktemp -d /tmp/floe-bench-nb-XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
port_http=$(free_port)
port_rtmp=$(free_port)
mkdir -p "$work/src"
start_nginx "$work/nginx" "$port_rtmp"
pids+=("$NGINX_PID")
(cd "$work/src" && exec python3 -m http.server "$port_http" --bind 127.0.0.1 >/dev/null 2>&1) & pids+=($!)
sleep 1

tpl() {  # type codec bitrate
  printf '{"Type":"%s","TemplateConfig":{"VideoParams":{"Codec":"%s","Width":"1280","Height":"720","Fps":"30","Bitrate":"%s","Gop":"60","Profile":"3"}}}' "$1" "$2" "$3"
}
# One run per codec and content makes four renditions from one decode: normal at the reference
# cap, and narrow-band at the same cap and at 80 % and 70 % of it. "Saved" is measured against
# the cheapest narrow-band rendition whose SSIM and PSNR are both at least normal's.
caps=(3000 3000 2400 2100)
types=(normal narrow-band narrow-band narrow-band)
kbps() {  # video kbit/s of an HLS recording
  ffprobe -v error -select_streams v:0 -show_entries packet=size,pts_time -of csv=p=0 "$1" |
    awk -F, '{s+=$2; if (NR==1) a=$1; b=$1} END {printf "%.0f", s*8/1000/(b-a)}'
}
frames() { ffprobe -v error -select_streams v:0 -count_packets -show_entries stream=nb_read_packets -of csv=p=0 "$1" | grep -m1 .; }
quality() {  # recording source → "ssim psnr"
  # Floe's HLS playlist is a rolling window: it holds the last frames of the run, so the
  # recording is compared with the same last frames of the source (output is CFR at its rate).
  local skip=$(($(frames "$2") - $(frames "$1")))
  ffmpeg -hide_banner -nostats -i "$1" -i "$2" -lavfi \
    "[0:v]setpts=PTS-STARTPTS,split[a0][a1];[1:v]trim=start_frame=$skip,setpts=PTS-STARTPTS,split[b0][b1];[a0][b0]ssim;[a1][b1]psnr" \
    -f null - 2>&1 | awk '/SSIM/ {for (i=1;i<=NF;i++) if ($i ~ /^All:/) {sub("All:","",$i); s=$i}}
                         /PSNR/ {for (i=1;i<=NF;i++) if ($i ~ /^average:/) {sub("average:","",$i); p=$i}}
                         END {print s, p}'
}

echo "machine: $(nproc) cores; ${secs}s of 1280x720@30 per content; normal capped at ${caps[0]} kbit/s"
printf '%-7s %-8s %-18s %8s %10s %8s\n' codec content rendition kbps SSIM PSNR
for codec in H.264 H.265; do
  for i in 0 1 2 3; do tpl "${types[$i]}" "$codec" "${caps[$i]}" > "$work/t$i.json"; done
  for content in static noise motion; do
    case $content in
      static) src="smptehdbars=size=1280x720:rate=30" ;;
      motion) src="testsrc2=size=1280x720:rate=30" ;;
      noise) src="testsrc2=size=1280x720:rate=30,noise=alls=24:allf=t+u" ;;
    esac
    rm -rf "$work/src"/* "$work/out"
    # Near-lossless source (the reference for SSIM/PSNR), served as an HLS VOD.
    ffmpeg -hide_banner -loglevel error -f lavfi -i "$src" -t "$secs" -c:v libx264 -preset veryfast -crf 4 \
      -g 60 -f hls -hls_time 2 -hls_list_size 0 "$work/src/index.m3u8"
    args=()
    for i in 0 1 2 3; do
      args+=(--template "$work/t$i.json" --output "rtmp://127.0.0.1:$port_rtmp/live/$content-$i")
    done
    "$floe" --log-level error transcode --allow-net 127.0.0.0/8 --input "http://127.0.0.1:$port_http/index.m3u8" \
      --reconnect-window-ms 100 "${args[@]}" --hls "$work/out"
    best=""
    for i in 0 1 2 3; do
      k=$(kbps "$work/out/$i/index.m3u8")
      read -r ssim psnr < <(quality "$work/out/$i/index.m3u8" "$work/src/index.m3u8")
      printf '%-7s %-8s %-18s %8s %10s %8s\n' "$codec" "$content" "${types[$i]}@${caps[$i]}" "$k" "$ssim" "$psnr"
      if [ "$i" = 0 ]; then
        k0=$k; s0=$ssim; p0=$psnr
      elif awk -v s="$ssim" -v p="$psnr" -v s0="$s0" -v p0="$p0" 'BEGIN {exit !(s >= s0 && p >= p0)}'; then
        best=$k
      fi
    done
    if [ -n "$best" ]; then
      echo "$codec $content: narrow-band saves $(awk -v a="$best" -v b="$k0" 'BEGIN {printf "%.1f", 100*(1-a/b)}')% of the bits at equal or better SSIM and PSNR"
    else
      echo "$codec $content: no narrow-band rendition reached normal's SSIM and PSNR"
    fi
  done
done

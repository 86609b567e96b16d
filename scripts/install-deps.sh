#!/usr/bin/env bash
# Installs what Floe needs to build, run and test on Debian 12: Debian packages through apt-get
# (FFmpeg's libraries with x264/x265/LAME; gperftools' tcmalloc as floe's allocator; clang with its libFuzzer runtime for fuzz/; nginx with the RTMP module, the ffmpeg/ffprobe
# programs and faad (a second AAC decoder) as test peers; chromium for the console's tests; PostgreSQL, whose binaries the store
# tests start in a private data directory, never as a system service), the console's toolchain from npm
# (web/: esbuild, hls.js) and the official Alibaba Cloud SDKs, playwright-core, kubernetes-types and
# yaml from npm (tests/integration/node; playwright-core drives Debian's chromium and never
# downloads one; kubernetes-types and yaml check the manifests of deploy/; systemd-analyze its
# units, objdump its image).
# Idempotent: it only installs what is missing, so `make run` and `make test` both call it.
# `--bench-audio` also installs what `make bench-audio` (bench/audio/) renders and measures its clips
# with: fluidsynth and the GM soundfont, espeak-ng, sox, Debian's python3 with numpy.
set -euo pipefail
cd "$(dirname "$0")/.."

BENCH_AUDIO=0
for arg in "$@"; do
  case "$arg" in
    --bench-audio) BENCH_AUDIO=1 ;;
    *) echo "usage: $0 [--bench-audio]" >&2; exit 2 ;;
  esac
done

DEBS=(
  build-essential cmake pkg-config clang-format clang libclang-rt-14-dev
  libboost-dev nlohmann-json3-dev libsqlite3-dev libpq-dev libssl-dev libspdlog-dev libcli11-dev
  libgtest-dev libgmock-dev libgoogle-perftools-dev
  libavformat-dev libavcodec-dev libavutil-dev libswscale-dev libswresample-dev
  nginx-light libnginx-mod-rtmp ffmpeg faad chromium postgresql
  nodejs npm curl
  systemd binutils sqlite3 ca-certificates
)
if [ "$BENCH_AUDIO" = 1 ]; then
  DEBS+=(fluidsynth fluid-soundfont-gm espeak-ng sox python3 python3-numpy)
fi

missing=()
for p in "${DEBS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js may come from outside Debian's package (as on the CI image): accept any node >= 18.
if command -v node >/dev/null && command -v npm >/dev/null; then
  missing=("${missing[@]/nodejs/}"); missing=("${missing[@]/npm/}")
fi
want=()
for p in "${missing[@]}"; do [ -n "$p" ] && want+=("$p"); done
if [ ${#want[@]} -gt 0 ]; then
  echo "install-deps: apt-get install ${want[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
fi

if [ ! -d web/node_modules/esbuild ] || [ ! -d web/node_modules/hls.js ]; then
  echo "install-deps: npm ci in web/ (the console's esbuild and hls.js)"
  (cd web && npm ci --no-audit --no-fund --silent)
fi

if [ ! -d tests/integration/node/node_modules/@alicloud/pop-core ] \
  || [ ! -d tests/integration/node/node_modules/@alicloud/openapi-client ] \
  || [ ! -d tests/integration/node/node_modules/playwright-core ] \
  || [ ! -d tests/integration/node/node_modules/kubernetes-types ] \
  || [ ! -d tests/integration/node/node_modules/yaml ]; then
  echo "install-deps: npm ci (official Alibaba Cloud SDKs, playwright-core, kubernetes-types, yaml)"
  (cd tests/integration/node && if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --silent; else npm install --no-audit --no-fund --silent; fi)
fi

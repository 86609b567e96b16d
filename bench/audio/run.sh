#!/usr/bin/env bash
# Audio-quality benchmark (issue 22): Floe's AAC encoders (aac_low, aac_he, aac_he_v2, aac_ld,
# whichever this build accepts) against libfdk-aac on generated music, speech, applause and pink
# noise; log-spectral distance, band-limited segmental SNR, top-band energy, encode CPU; the
# issue's targets as PASS/FAIL. Prints Markdown for bench/RESULTS.md. About 2 minutes here.
# libfdk-aac is non-free: Debian's aac-enc and libfdk-aac2 are downloaded into the temporary
# folder with a private apt configuration and unpacked there (dpkg -x), never installed, and the
# system's apt sources are left as they are. Without them the fdk rows say "not available".
# Usage: bench/audio/run.sh [BUILD_DIR]   Environment: CLIPS (music,speech,applause,pink)
set -euo pipefail
build=${1:-build}
here="$(cd "$(dirname "$0")" && pwd)"
tool="$PWD/$build/bench/floe_audio_encode"
py=/usr/bin/python3  # Debian's, with python3-numpy (a pyenv python3 on PATH may lack it)
export PYTHONDONTWRITEBYTECODE=1  # no __pycache__ in the source tree

missing=()
for cmd in ffmpeg fluidsynth espeak-ng; do command -v "$cmd" >/dev/null || missing+=("$cmd"); done
[ -f /usr/share/sounds/sf2/FluidR3_GM.sf2 ] || missing+=(fluid-soundfont-gm)
"$py" -c 'import numpy' 2>/dev/null || missing+=(python3-numpy)
[ -x "$tool" ] || missing+=("$tool (cmake --build $build --target floe_audio_encode)")
if [ ${#missing[@]} -gt 0 ]; then
  echo "bench-audio: missing ${missing[*]}; run scripts/install-deps.sh --bench-audio" >&2
  exit 1
fi

work=$(mktemp -d /tmp/floe-bench-audio-XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/clips"

# libfdk-aac from bookworm's non-free component, through apt's own download and verification.
fetch_fdk() {
  local apt="$work/apt"
  mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/debs" "$work/fdk"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm non-free" \
    >"$apt/sources.list"
  local opts=(-qq -o "Dir::Etc::SourceList=$apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
    -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache" -o APT::Sandbox::User=root)
  apt-get "${opts[@]}" update >"$apt/log" 2>&1 || return 1
  (cd "$apt/debs" && apt-get "${opts[@]}" download aac-enc libfdk-aac2) >>"$apt/log" 2>&1 || return 1
  for deb in "$apt/debs"/*.deb; do dpkg -x "$deb" "$work/fdk" || return 1; done
}
fdk=""
if fetch_fdk; then
  fdk="$work/fdk"
  echo "fdk reference: $(basename "$work"/apt/debs/aac-enc_*.deb) unpacked in $work/fdk" >&2
else
  echo "fdk reference: not available: download of aac-enc/libfdk-aac2 failed:" \
    "$(tail -n 2 "$work/apt/log" 2>/dev/null | tr '\n' ' ')" >&2
fi

clips=${CLIPS:-music,speech,applause,pink}
"$py" "$here/bench.py" "$tool" "$work/clips" "$fdk" --clips "$clips"

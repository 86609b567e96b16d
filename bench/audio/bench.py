"""bench/audio: Floe's AAC encoders against libfdk-aac on four generated clips (issue 22).

usage: bench.py TOOL WORK [FDK_ROOT] [--clips music,speech,...]
TOOL is build/bench/floe_audio_encode; FDK_ROOT is where Debian's aac-enc and libfdk-aac2
packages were unpacked (dpkg -x), or absent: fdk's aac-enc example encodes LC/HE/HEv2, and
fdk_ld.py drives the library for LD, which aac-enc cannot write. Prints Markdown tables
(bench/RESULTS.md) and the issue's targets, PASS or FAIL. Floe rows run every profile MakeEncodeSettings accepts; a profile
it refuses is listed as "not available: <reason>", never measured from something else.
"""

import argparse
import datetime
import glob
import os
import re
import resource
import subprocess
import sys

import clips
import metrics

HE_KBPS = (24, 32, 48, 64)  # aac_he and aac_low, 48 kHz stereo
V2_KBPS = (24, 32)  # aac_he_v2
LD_KBPS = (64, 96, 128)  # aac_ld at 44.1 kHz (what FLV carries)
LD_RATE = 44100
MAX_LAG = 16384  # samples: more than any encoder + decoder delay here
# Each encode runs this often and keeps its least CPU time: the machine may be busy with other
# work, which inflates CPU time (caches, frequency) but never deflates it.
REPEAT = int(os.environ.get("CPU_REPEAT", "3"))
FDK_AOT = {"aac_low": 2, "aac_he": 5, "aac_he_v2": 29, "aac_ld": 23}
NAMES = {"aac_low": "LC", "aac_he": "HE", "aac_he_v2": "HEv2", "aac_ld": "LD"}


def plan():
    rows = [("aac_he", k, clips.RATE) for k in HE_KBPS]
    rows += [("aac_low", k, clips.RATE) for k in HE_KBPS]
    rows += [("aac_he_v2", k, clips.RATE) for k in V2_KBPS]
    rows += [("aac_ld", k, LD_RATE) for k in LD_KBPS]
    return rows


def least_cpu(encode):
    """Runs encode() REPEAT times (once when it fails) and keeps the least CPU time."""
    best = encode()
    for _ in range(REPEAT - 1):
        if "cpu" not in best:
            break
        again = encode()
        if "cpu" in again and again["cpu"] < best["cpu"]:
            best = again
    return best


def encode_floe(tool, src, out, profile, kbps, rate):
    p = subprocess.run([tool, src, out, profile, str(kbps), str(rate), "2"], capture_output=True,
                       text=True)
    text = (p.stdout + p.stderr).strip()
    if p.returncode == 3 and text.startswith("not available:"):
        return {"na": text[len("not available:"):].strip()}
    m = re.search(r"cpu_s=([\d.]+) clip_s=([\d.]+)", p.stdout)
    if p.returncode != 0 or not m:
        return {"error": text or "exit %d" % p.returncode}
    return {"cpu": float(m.group(1)), "clip": float(m.group(2))}


class Fdk:
    """Debian's aac-enc and libfdk-aac2 unpacked under `root`."""

    def __init__(self, root):
        self.binary = os.path.join(root, "usr/bin/aac-enc")
        libs = sorted(glob.glob(os.path.join(root, "usr/lib/*/libfdk-aac.so.*")))
        self.lib = libs[-1] if libs else ""
        self.env = dict(os.environ, LD_LIBRARY_PATH=os.path.dirname(self.lib))
        self.ok = bool(root) and os.access(self.binary, os.X_OK) and bool(self.lib)

    @staticmethod
    def output(stem, profile):
        return stem + (".flv" if profile == "aac_ld" else ".aac")

    def encode(self, src, out, profile, kbps, seconds):
        if profile == "aac_ld":
            here = os.path.dirname(os.path.abspath(__file__))
            p = subprocess.run([sys.executable, os.path.join(here, "fdk_ld.py"), self.lib, src,
                                out, str(kbps)], capture_output=True, text=True)
            m = re.search(r"cpu_s=([\d.]+) clip_s=([\d.]+)", p.stdout)
            if p.returncode != 0 or not m:
                return {"error": (p.stdout + p.stderr).strip() or "exit %d" % p.returncode}
            return {"cpu": float(m.group(1)), "clip": float(m.group(2))}
        # Afterburner on: fdk's best quality, as FFmpeg's libfdk_aac sets by default.
        cmd = [self.binary, "-a", "1", "-t", str(FDK_AOT[profile]), "-r", str(kbps * 1000), src,
               out]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        p = subprocess.run(cmd, capture_output=True, text=True, env=self.env)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if p.returncode != 0:
            return {"error": (p.stdout + p.stderr).strip() or "exit %d" % p.returncode}
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        return {"cpu": cpu, "clip": seconds}


def payload_kbps(path, seconds):
    """The audio payload's bit rate: the packets' bytes (ADTS headers, 7 bytes each, taken off),
    not the file's, so that containers weigh nothing."""
    p = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "a:0", "-show_entries",
                        "packet=size", "-of", "csv=p=0", path], capture_output=True, check=True)
    # Bytes, as clips.read_f32's: a failure reaches run_clip's handler, which decodes stderr.
    sizes = [int(x) for x in p.stdout.decode().split() if x.isdigit()]
    header = 7 if path.endswith(".aac") else 0
    return 8 * sum(n - header for n in sizes) / seconds / 1000


def run_clip(name, wav48, args):
    sources = {clips.RATE: wav48, LD_RATE: wav48.replace(".wav", ".%d.wav" % LD_RATE)}
    refs = {r: clips.read_f32(p, r, 2) for r, p in sources.items()}
    results = {}
    for profile, kbps, rate in plan():
        for coder in ("Floe", "fdk"):
            out = os.path.join(args.work, "%s.%s.%s.%d" % (name, coder, profile, kbps))
            if coder == "Floe":
                out += ".m4a"
                r = least_cpu(lambda: encode_floe(args.tool, sources[rate], out, profile, kbps,
                                                  rate))
            elif args.fdk.ok:
                out = args.fdk.output(out, profile)
                r = least_cpu(lambda: args.fdk.encode(sources[rate], out, profile, kbps,
                                                      len(refs[rate]) / rate))
            else:
                r = {"na": "libfdk-aac could not be fetched (run.sh said why)"}
            if "cpu" in r:
                try:
                    dec = clips.read_f32(out, rate, 2)
                    r.update(metrics.measure(refs[rate], dec, rate, MAX_LAG))
                    r["kbps_out"] = payload_kbps(out, len(refs[rate]) / rate)
                except subprocess.CalledProcessError as e:
                    r = {"error": "ffmpeg cannot decode it: " + e.stderr.decode()[-200:].strip()}
                os.remove(out)
            results[(coder, profile, kbps)] = r
            print("  %-8s %-4s %-4s %3d kbit/s: %s" % (name, coder, NAMES[profile], kbps, brief(r)),
                  file=sys.stderr, flush=True)
    return results


def brief(r):
    if "na" in r:
        return "not available: " + r["na"]
    if "error" in r:
        return "error: " + r["error"]
    return "LSD %.2f dB, SNR %.1f dB, lag %d" % (r["lsd"], r["snr"], r["lag"])


def fmt(v, spec):
    return "n/a" if v is None else spec % v


def table(name, res):
    lines = ["### %s" % name, "",
             "| coder | profile | kbit/s | out kbit/s | LSD dB | LSD ÷ fdk | LSD <12 kHz | "
             "SNR <6 kHz dB | 10–16 kHz dB | CPU % of a core |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for profile, kbps, _ in plan():
        fdk = res.get(("fdk", profile, kbps), {})
        for coder in ("Floe", "fdk"):
            r = res[(coder, profile, kbps)]
            if "lsd" not in r:
                continue  # listed under "Not measured"
            ratio = r["lsd"] / fdk["lsd"] if coder == "Floe" and "lsd" in fdk else None
            lines.append("| %s | %s | %d | %.1f | %.2f | %s | %.2f | %.1f | %s | %.1f |" % (
                coder, NAMES[profile], kbps, r["kbps_out"], r["lsd"], fmt(ratio, "%.2f"),
                r["lsd12"], r["snr"],
                fmt(r["top"], "%+.1f"), 100 * r["cpu"] / r["clip"]))
    return lines


def not_measured(all_res):
    seen = {}
    for res in all_res.values():
        for (coder, profile, kbps), r in res.items():
            for kind in ("na", "error"):
                if kind in r:
                    key = (coder, NAMES[profile], kind, r[kind])
                    seen.setdefault(key, set()).add(kbps)
    lines = []
    for (coder, profile, kind, why), rates in sorted(seen.items()):
        label = "not available" if kind == "na" else "encoder error"
        lines.append("- %s %s (%s kbit/s): %s: %s" % (
            coder, profile, "/".join(str(k) for k in sorted(rates)), label, why))
    return lines


def targets(all_res):
    out = []

    def verdict(ok, text, detail, complete=True):
        word = ("PASS" if complete else "PASS where measured") if ok else "FAIL"
        out.append("- %s — %s%s" % (word, text, ": " + detail if detail else ""))

    # 1. HE has a lower LSD than Floe's LC at <= 48 kbit/s on every clip.
    worse, missing = [], []
    for clip, res in all_res.items():
        for k in (k for k in HE_KBPS if k <= 48):
            he, lc = res[("Floe", "aac_he", k)], res[("Floe", "aac_low", k)]
            if "lsd" not in he or "lsd" not in lc:
                missing.append("%s %d" % (clip, k))
            elif he["lsd"] >= lc["lsd"]:
                worse.append("%s %d kbit/s HE %.2f ≥ LC %.2f" % (clip, k, he["lsd"], lc["lsd"]))
    if missing:
        out.append("- NOT MEASURED — HE beats LC at ≤ 48 kbit/s: " + ", ".join(missing))
    else:
        verdict(not worse, "Floe HE has a lower LSD than Floe LC at ≤ 48 kbit/s on every clip",
                "; ".join(worse))
    # 2. Floe HE and HEv2 within 25 % of fdk's LSD.
    for profile, rates in (("aac_he", HE_KBPS), ("aac_he_v2", V2_KBPS)):
        ratios, missing = [], []
        for clip, res in all_res.items():
            for k in rates:
                f, d = res[("Floe", profile, k)], res[("fdk", profile, k)]
                if "lsd" in f and "lsd" in d:
                    ratios.append((f["lsd"] / d["lsd"], "%s %d" % (clip, k)))
                else:
                    who = "Floe" if "lsd" not in f else "fdk"
                    missing.append("%s %d (%s %s)" % (clip, k, who, NAMES[profile]))
        text = "Floe %s LSD within 25 %% of fdk's (ratio ≤ 1.25)" % NAMES[profile]
        if not ratios:
            out.append("- NOT MEASURED — %s: no clip has both rows (see Not measured)" % text)
            continue
        bad = ["%s ×%.2f" % (where, q) for q, where in ratios if q > 1.25]
        worst = max(ratios)
        verdict(not bad, text,
                ("worst ×%.2f (%s)" % worst) + ("; over: " + ", ".join(bad) if bad else "") +
                ("; not measured: " + ", ".join(missing) if missing else ""), not missing)
    # 3. Floe HE CPU <= 2x Floe LC's at the same bit rate (CPU summed over the clips).
    parts, bad, complete = [], [], True
    for k in HE_KBPS:
        he = [res[("Floe", "aac_he", k)] for res in all_res.values()]
        lc = [res[("Floe", "aac_low", k)] for res in all_res.values()]
        if not all("cpu" in r for r in he + lc):
            complete = False
            continue
        q = sum(r["cpu"] for r in he) / sum(r["cpu"] for r in lc)
        parts.append("%d kbit/s ×%.2f" % (k, q))
        if q > 2:
            bad.append(k)
    if not complete or not parts:
        out.append("- NOT MEASURED — Floe HE CPU ≤ 2× Floe LC")
    else:
        verdict(not bad, "Floe HE encode CPU ≤ 2× Floe LC's", ", ".join(parts))
    # Not a target of the issue, but what the comparisons above rest on: the same bits.
    over = []
    for clip, res in all_res.items():
        for (coder, profile, kbps), r in sorted(res.items()):
            if coder == "Floe" and "kbps_out" in r and r["kbps_out"] > 1.1 * kbps:
                over.append("%s %s %d → %.1f" % (clip, NAMES[profile], kbps, r["kbps_out"]))
    out.append("- %s — Floe's outputs within 10 %% of the asked bit rate (the payload's)%s" % (
        "FAIL" if over else "PASS", ": over: " + ", ".join(over) if over else ""))
    return out


def machine():
    model = "unknown CPU"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return "%d × %s" % (os.cpu_count(), model)


LEGEND = """\
- Clips: 20 s, 48 kHz stereo (44.1 kHz for LD), generated: music (fluidsynth + FluidR3 GM: piano,
  strings, flute, bass, drums), speech (espeak-ng, two voices panned), applause (noise bursts),
  pink noise (independent L/R). Outputs are decoded by the ffmpeg CLI and aligned to the source.
- LSD: log-spectral distance, 0–20 kHz, 20 ms frames, silent frames skipped, spectra floored
  60 dB under the frame's peak. It judges the band above the HE core's crossover, which SBR
  rebuilds as a spectral envelope over transposed noise: right energy, different waveform.
- SNR <6 kHz: segmental SNR of the mid signal (L+R)/2 below 6 kHz, under every HE crossover
  here: the waveform-coded core, which LSD ranks too leniently. Mid, as HEv2 codes a downmix.
- LSD <12 kHz: the same below 12 kHz, where every coder here keeps signal: coders stop at
  different frequencies (fdk's SBR near 13 kHz at 24 kbit/s, Floe's near 17 kHz) and a missing
  band weighs heavily in the 0–20 kHz LSD.
- out kbit/s: what the encoder spent: the audio packets' bytes over the clip (ADTS headers
  taken off), whatever the container.
- 10–16 kHz: decoded energy there relative to the source's (does the top band exist at all).
- CPU: least of %d runs. Floe: its encode calls (floe_audio_encode's clock); fdk: the whole aac-enc
  process (WAV reading included), for LD the library's encode calls (fdk_ld.py).
- fdk: libfdk-aac 2.0.2 from Debian non-free, CBR, afterburner on."""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("tool")
    ap.add_argument("work")
    ap.add_argument("fdk", nargs="?", default="")
    ap.add_argument("--clips", default=",".join(clips.CLIPS))
    args = ap.parse_args()
    args.fdk = Fdk(args.fdk)
    made = clips.make_all(args.work, [c for c in args.clips.split(",") if c])
    all_res = {name: run_clip(name, path, args) for name, path in made.items()}
    print("## Audio quality: Floe's AAC encoders against libfdk-aac (`make bench-audio`)")
    print()
    print("%s UTC, %s." % (datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M"), machine()))
    print()
    print(LEGEND % REPEAT)
    for name, res in all_res.items():
        print()
        print("\n".join(table(name, res)))
    lines = not_measured(all_res)
    if lines:
        print()
        print("Not measured:")
        print("\n".join(lines))
    print()
    print("Targets (issue 22):")
    print("\n".join(targets(all_res)))


if __name__ == "__main__":
    main()

"""The four test clips of bench/audio: music, speech, applause, pink noise (~20 s, stereo).

Each clip is rendered once at 48 kHz into WORK/<name>.wav (16-bit PCM, what both Floe's tool and
fdk's aac-enc read) and resampled to 44.1 kHz for the AAC-LD rows (<name>.44100.wav).
Everything is made here from seeds: no audio file is shipped or downloaded.
"""

import os
import struct
import subprocess

import numpy as np

RATE = 48000
SECONDS = 20
SOUNDFONT = "/usr/share/sounds/sf2/FluidR3_GM.sf2"
CLIPS = ("music", "speech", "applause", "pink")


def _run(cmd):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _vlq(n):
    out = [n & 0x7F]
    n >>= 7
    while n:
        out.append(0x80 | (n & 0x7F))
        n >>= 7
    return bytes(reversed(out))


def write_midi(path, seconds=SECONDS, seed=5):
    """A format-0 SMF at 120 bpm: piano chords (left), string pad (right), flute melody, bass,
    drums with hats to the right; C-Am-F-G repeated."""
    rng = np.random.default_rng(seed)
    tpq = 480  # ticks per quarter note; 120 bpm = 0.5 s per quarter
    beats = int(seconds * 2)
    events = []  # (tick, order, bytes): note-offs (order 0) before note-ons at the same tick

    def note(ch, tick, length, key, vel):
        events.append((tick, 1, bytes([0x90 | ch, key, vel])))
        events.append((tick + length, 0, bytes([0x80 | ch, key, 0])))

    setup = [(0, 0, 64), (1, 48, 96), (2, 73, 64), (3, 33, 64), (9, 0, 80)]  # ch, program, pan
    for ch, program, pan in setup:
        if ch != 9:
            events.append((0, 0, bytes([0xC0 | ch, program])))
        events.append((0, 0, bytes([0xB0 | ch, 10, pan])))
        events.append((0, 0, bytes([0xB0 | ch, 91, 40])))  # some reverb
    events.append((0, 0, bytes([0xB0, 10, 36])))  # piano left
    chords = [(60, 64, 67), (57, 60, 64), (53, 57, 60), (55, 59, 62)]
    scale = [60, 62, 64, 65, 67, 69, 71, 72, 74, 76, 77, 79]
    for bar in range(beats // 4):
        t0 = bar * 4 * tpq
        chord = chords[bar % 4]
        for k in chord:
            note(0, t0, 2 * tpq - 20, k, 70)
            note(0, t0 + 2 * tpq, 2 * tpq - 20, k, 60)
            note(1, t0, 4 * tpq - 10, k - 12, 50)
        note(3, t0, tpq * 2 - 30, chord[0] - 24, 90)
        note(3, t0 + 2 * tpq, tpq * 2 - 30, chord[0] - 24 + 7, 85)
        t = 0
        while t < 4 * tpq:  # melody in eighths and quarters
            length = tpq // 2 if rng.random() < 0.6 else tpq
            if rng.random() < 0.85:
                note(2, t0 + t, length - 20, int(scale[rng.integers(len(scale))]) + 12, 85)
            t += length
        for beat in range(4):
            tb = t0 + beat * tpq
            note(9, tb, tpq // 4, 36 if beat % 2 == 0 else 38, 100)
            note(9, tb, tpq // 4, 42, 70)
            note(9, tb + tpq // 2, tpq // 4, 42, 55)
        if bar % 4 == 0:
            note(9, t0, tpq, 49, 90)
    events.sort(key=lambda e: (e[0], e[1]))
    track = bytearray(b"\x00\xff\x51\x03\x07\xa1\x20")  # tempo 500000 us per quarter
    last = 0
    for tick, _, data in events:
        track += _vlq(tick - last) + data
        last = tick
    track += b"\x00\xff\x2f\x00"
    with open(path, "wb") as f:
        f.write(b"MThd" + struct.pack(">IHHH", 6, 0, 1, tpq))
        f.write(b"MTrk" + struct.pack(">I", len(track)) + bytes(track))


def write_wav16(path, x, rate):
    """x: float array (samples, channels) in [-1, 1]."""
    pcm = np.clip(np.round(x * 32767), -32768, 32767).astype("<i2")
    data = pcm.tobytes()
    ch = x.shape[1]
    with open(path, "wb") as f:
        f.write(b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVE")
        f.write(b"fmt " + struct.pack("<IHHIIHH", 16, 1, ch, rate, rate * ch * 2, ch * 2, 16))
        f.write(b"data" + struct.pack("<I", len(data)) + data)


def read_f32(path, rate, channels):
    """Any file ffmpeg reads, as float (samples, channels) at `rate`."""
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", path, "-f", "f32le", "-ar", str(rate),
                          "-ac", str(channels), "-"], check=True, capture_output=True).stdout
    return np.frombuffer(raw, dtype="<f4").reshape(-1, channels).astype(np.float64)


def _fit(x, n):
    """Exactly n samples, peak at -1 dBFS."""
    x = x[:n] if len(x) >= n else np.concatenate([x, np.zeros((n - len(x), x.shape[1]))])
    return x * (10 ** (-1 / 20) / max(np.max(np.abs(x)), 1e-9))


def music(work):
    mid = os.path.join(work, "music.mid")
    write_midi(mid)
    raw = os.path.join(work, "music.fluid.wav")
    _run(["fluidsynth", "-ni", "-q", "-g", "0.6", "-r", str(RATE), "-T", "wav", "-O", "s16",
          "-F", raw, SOUNDFONT, mid])
    return read_f32(raw, RATE, 2)


SENTENCES = [
    "The quick brown fox jumps over the lazy dog, while the cat watches from the window.",
    "Please send the report by Friday; the meeting moved to half past three.",
    "Seven silver ships sailed slowly south, searching for a safe harbour.",
    "Did you hear that? It sounded like thunder, far away over the hills.",
]


def speech(work):
    """Two voices taking turns, one a little left, one a little right."""
    parts = []
    for i, text in enumerate(SENTENCES):
        path = os.path.join(work, "speech%d.wav" % i)
        voice = "en-us" if i % 2 == 0 else "en+f3"
        _run(["espeak-ng", "-v", voice, "-s", "150", "-w", path, text])
        mono = read_f32(path, RATE, 1)[:, 0]
        pan = 0.35 if i % 2 == 0 else 0.65  # 0 left, 1 right
        gains = np.array([np.cos(pan * np.pi / 2), np.sin(pan * np.pi / 2)])
        parts.append(mono[:, None] * gains[None, :])
        parts.append(np.zeros((RATE // 3, 2)))
    x = np.concatenate(parts)
    return np.tile(x, (int(np.ceil(SECONDS * RATE / len(x))), 1))


def applause(seed=11):
    """Many short noise bursts with fast decays, random level, colour and pan: claps."""
    rng = np.random.default_rng(seed)
    n = SECONDS * RATE
    x = np.zeros((n + RATE, 2))
    count = SECONDS * 80
    for start in rng.integers(0, n, count):
        length = int(rng.uniform(0.005, 0.03) * RATE)
        tau = rng.uniform(0.002, 0.008) * RATE
        burst = rng.standard_normal(length) * np.exp(-np.arange(length) / tau)
        # A random tilt: some claps bright (differenced noise), some dull (smoothed).
        bright = rng.uniform(0, 1)
        burst = bright * np.diff(burst, prepend=0.0) + (1 - bright) * burst
        pan = rng.uniform(0.1, 0.9)
        level = 10 ** (rng.uniform(-20, 0) / 20)
        x[start:start + length, 0] += burst * level * np.cos(pan * np.pi / 2)
        x[start:start + length, 1] += burst * level * np.sin(pan * np.pi / 2)
    return x[:n]


def pink(work):
    path = os.path.join(work, "pink.src.wav")
    _run(["ffmpeg", "-v", "error", "-y",
          "-f", "lavfi", "-i", "anoisesrc=color=pink:r=%d:a=0.3:seed=1:d=%d" % (RATE, SECONDS),
          "-f", "lavfi", "-i", "anoisesrc=color=pink:r=%d:a=0.3:seed=2:d=%d" % (RATE, SECONDS),
          "-filter_complex", "[0][1]join=inputs=2:channel_layout=stereo", "-c:a", "pcm_f32le",
          path])
    return read_f32(path, RATE, 2)


def make_all(work, names=CLIPS):
    """Writes the clips at 48 kHz and 44.1 kHz; returns {name: path of the 48 kHz WAV}."""
    made = {}
    for name in names:
        if name == "music":
            x = music(work)
        elif name == "speech":
            x = speech(work)
        elif name == "applause":
            x = applause()
        elif name == "pink":
            x = pink(work)
        else:
            raise ValueError("no clip named " + name)
        path = os.path.join(work, name + ".wav")
        write_wav16(path, _fit(x, SECONDS * RATE), RATE)
        _run(["ffmpeg", "-v", "error", "-y", "-i", path, "-ar", "44100", "-c:a", "pcm_s16le",
              os.path.join(work, name + ".44100.wav")])
        made[name] = path
    return made

"""Objective measures of a decoded clip against its source (numpy only), for bench/audio.

No perceptual model (PEAQ, ViSQOL) is packaged in Debian, so two plain measures, each blind
where the other sees:
- LSD, log-spectral distance (dB) over 0-20 kHz: how far the decoded short-time spectrum is
  from the source's. It judges the band above the HE core's crossover, where SBR recreates
  only an envelope: a waveform measure would call any SBR band noise, LSD asks whether the
  energy is where it should be (and an LC encoder that drops the band scores badly there).
- Band-limited segmental SNR (dB) of the mid signal below 6 kHz: the waveform-coded core
  (below every HE crossover used here), where LSD is too lenient to rank coders.
Plus the energy of 10-16 kHz relative to the source's (dB): does the top band exist at all;
and LSD below 12 kHz, where every coder here keeps some signal: encoders choose different
top frequencies (fdk's SBR stops near 13 kHz at 24 kbit/s stereo, Floe's near 17 kHz), and a
missing band weighs heavily in the 0-20 kHz LSD.
"""

import numpy as np

FRAME_S = 0.02  # analysis frame
SILENCE_DBFS = -50.0  # frames of the source quieter than this are skipped
FLOOR_DB = 60.0  # spectra are floored this far below the source frame's loudest bin
EDGE_S = 0.25  # start-up and flush at either end are not judged
SNR_MAX_HZ = 6000.0
SNR_CLAMP = (-10.0, 35.0)
TOP_BAND = (10000.0, 16000.0)
LSD_LOW_HZ = 12000.0


def align(ref, dec, max_lag):
    """Returns dec shifted by the lag in -max_lag..max_lag that maximises its cross-correlation
    with ref (mono sums of the first 10 s), cut or padded to len(ref), and that lag (positive:
    dec is late; negative: a container edit cut the start)."""
    n = min(len(ref), 10 * 48000)
    a = ref[:n].sum(axis=1)
    b = dec[:n + max_lag].sum(axis=1)
    size = 1 << int(np.ceil(np.log2(len(a) + len(b) + max_lag)))
    xc = np.fft.irfft(np.fft.rfft(b, size) * np.conj(np.fft.rfft(a, size)), size)
    lags = np.concatenate([np.arange(0, max_lag + 1), np.arange(-max_lag, 0)])
    lag = int(lags[np.argmax(np.concatenate([xc[:max_lag + 1], xc[size - max_lag:]]))])
    if lag >= 0:
        out = dec[lag:lag + len(ref)]
    else:
        out = np.concatenate([np.zeros((-lag, dec.shape[1])), dec[:len(ref) + lag]])
    if len(out) < len(ref):
        out = np.concatenate([out, np.zeros((len(ref) - len(out), ref.shape[1]))])
    return out, lag


def _frames(x, size, hop):
    count = 1 + (len(x) - size) // hop
    idx = np.arange(size)[None, :] + hop * np.arange(count)[:, None]
    return x[idx]


def _trim(x, fs):
    e = int(EDGE_S * fs)
    return x[e:len(x) - e]


def lsd(ref, dec, fs, top_hz=20000.0):
    """Mean log-spectral distance in dB: Hann frames of 20 ms, hop 10 ms, bins 0..min(top_hz,
    fs/2), both spectra floored FLOOR_DB under the source frame's peak bin."""
    size = int(FRAME_S * fs)
    hop = size // 2
    win = np.hanning(size)
    top = int(min(top_hz, fs / 2) * size / fs)
    ref, dec = _trim(ref, fs), _trim(dec, fs)
    values = []
    for ch in range(ref.shape[1]):
        fr = _frames(ref[:, ch], size, hop)
        fd = _frames(dec[:, ch], size, hop)
        loud = 10 * np.log10(np.mean(fr**2, axis=1) + 1e-20) > SILENCE_DBFS
        pr = np.abs(np.fft.rfft(fr[loud] * win, axis=1)[:, :top + 1]) ** 2
        pd = np.abs(np.fft.rfft(fd[loud] * win, axis=1)[:, :top + 1]) ** 2
        floor = pr.max(axis=1, keepdims=True) * 10 ** (-FLOOR_DB / 10) + 1e-20
        diff = 10 * np.log10(np.maximum(pr, floor) / np.maximum(pd, floor))
        values.append(np.sqrt(np.mean(diff**2, axis=1)))
    return float(np.mean(np.concatenate(values)))


def _lowpass(x, fs, hz):
    spec = np.fft.rfft(x)
    spec[int(hz * len(x) / fs) + 1:] = 0
    return np.fft.irfft(spec, len(x))


def seg_snr(ref, dec, fs):
    """Segmental SNR (dB) of the mid signal (L+R)/2 below SNR_MAX_HZ, 20 ms frames, each
    clamped to SNR_CLAMP. Mid, because HE-AACv2 codes one downmix channel and rebuilds L/R
    from parameters: per-channel waveforms are not what it tries to keep."""
    ref, dec = _trim(ref, fs), _trim(dec, fs)
    mid = ref.mean(axis=1)
    r = _lowpass(mid, fs, SNR_MAX_HZ)
    d = _lowpass(dec.mean(axis=1), fs, SNR_MAX_HZ)
    size = int(FRAME_S * fs)
    fl = _frames(mid, size, size)
    fr, fd = _frames(r, size, size), _frames(d, size, size)
    loud = 10 * np.log10(np.mean(fl**2, axis=1) + 1e-20) > SILENCE_DBFS
    sig = np.sum(fr[loud] ** 2, axis=1)
    err = np.sum((fr[loud] - fd[loud]) ** 2, axis=1)
    snr = 10 * np.log10((sig + 1e-20) / (err + 1e-20))
    return float(np.mean(np.clip(snr, *SNR_CLAMP)))


def top_band_db(ref, dec, fs):
    """Energy of TOP_BAND in the decoded clip relative to the source's (dB); None when the
    source has next to nothing there (below -80 dBFS)."""
    ref, dec = _trim(ref, fs), _trim(dec, fs)
    lo, hi = (int(f * len(ref) / fs) for f in TOP_BAND)
    er = np.sum(np.abs(np.fft.rfft(ref, axis=0)[lo:hi]) ** 2)
    ed = np.sum(np.abs(np.fft.rfft(dec, axis=0)[lo:hi]) ** 2)
    # Parseval: per-sample mean square of the band, summed over channels.
    if 10 * np.log10(2 * er / len(ref) ** 2 + 1e-30) < -80:
        return None
    return float(10 * np.log10((ed + 1e-30) / er))


def measure(ref, dec, fs, max_lag):
    aligned, lag = align(ref, dec, max_lag)
    return {
        "lag": lag,
        "lsd": lsd(ref, aligned, fs),
        "lsd12": lsd(ref, aligned, fs, LSD_LOW_HZ),
        "snr": seg_snr(ref, aligned, fs),
        "top": top_band_db(ref, aligned, fs),
    }

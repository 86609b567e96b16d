"""AAC-LD reference for bench/audio: libfdk-aac through ctypes, raw frames into an FLV.

usage: fdk_ld.py LIBFDK_AAC_SO IN.wav OUT.flv KBPS
fdk's aac-enc example always asks for ADTS, which cannot carry AOT 23, so this drives the
library itself. FLV because FFmpeg 5.1 decodes LD from FLV (at 44.1 kHz, the only rate FLV's
AAC flags say, hence IN must be 44.1 kHz) but not from LOAS, where its ER path leaves the
sample rate unset (shared/AAC-NOTES 4). IN is 16-bit PCM WAV. Prints
"cpu_s=… clip_s=…" with the CPU time spent inside aacEncEncode, as floe_audio_encode does.
The structures and constants are those of fdk-aac 2.0's aacenc_lib.h.
"""

import ctypes
import sys
import time
import wave

AACENC_AOT = 0x0100
AACENC_BITRATE = 0x0101
AACENC_SAMPLERATE = 0x0103
AACENC_GRANULE_LENGTH = 0x0105
AACENC_CHANNELMODE = 0x0106
AACENC_AFTERBURNER = 0x0200
AACENC_TRANSMUX = 0x0300
AOT_ER_AAC_LD = 23
TT_MP4_RAW = 0
IN_AUDIO_DATA = 0
OUT_BITSTREAM_DATA = 3
AACENC_ENCODE_EOF = 0x0080


class BufDesc(ctypes.Structure):
    _fields_ = [("numBufs", ctypes.c_int), ("bufs", ctypes.POINTER(ctypes.c_void_p)),
                ("bufferIdentifiers", ctypes.POINTER(ctypes.c_int)),
                ("bufSizes", ctypes.POINTER(ctypes.c_int)),
                ("bufElSizes", ctypes.POINTER(ctypes.c_int))]


class InArgs(ctypes.Structure):
    _fields_ = [("numInSamples", ctypes.c_int), ("numAncBytes", ctypes.c_int)]


class InfoStruct(ctypes.Structure):
    _fields_ = [("maxOutBufBytes", ctypes.c_uint), ("maxAncBytes", ctypes.c_uint),
                ("inBufFillLevel", ctypes.c_uint), ("inputChannels", ctypes.c_uint),
                ("frameLength", ctypes.c_uint), ("nDelay", ctypes.c_uint),
                ("nDelayCore", ctypes.c_uint), ("confBuf", ctypes.c_ubyte * 64),
                ("confSize", ctypes.c_uint)]


class OutArgs(ctypes.Structure):
    _fields_ = [("numOutBytes", ctypes.c_int), ("numInSamples", ctypes.c_int),
                ("numAncBytes", ctypes.c_int), ("bitResState", ctypes.c_int)]


def one_buffer(ident, buf, size, el_size):
    ptrs = (ctypes.c_void_p * 1)(ctypes.cast(buf, ctypes.c_void_p))
    ids, sizes, els = ((ctypes.c_int * 1)(v) for v in (ident, size, el_size))
    desc = BufDesc(1, ptrs, ids, sizes, els)
    desc.keep = (ptrs, ids, sizes, els)
    return desc


def flv_tag(ms, body):
    """One FLV audio tag and the PreviousTagSize after it."""
    head = bytes([8]) + len(body).to_bytes(3, "big") + (ms & 0xFFFFFF).to_bytes(3, "big")
    head += bytes([(ms >> 24) & 0xFF]) + b"\0\0\0"
    return head + body + (11 + len(body)).to_bytes(4, "big")


def main():
    lib_path, src, dst, kbps = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    lib = ctypes.CDLL(lib_path)
    with wave.open(src, "rb") as w:
        rate, channels, frames = w.getframerate(), w.getnchannels(), w.getnframes()
        pcm = w.readframes(frames)
    handle = ctypes.c_void_p()
    if lib.aacEncOpen(ctypes.byref(handle), 0, channels) != 0:
        sys.exit("aacEncOpen failed")
    for param, value in ((AACENC_AOT, AOT_ER_AAC_LD), (AACENC_SAMPLERATE, rate),
                         (AACENC_CHANNELMODE, channels), (AACENC_GRANULE_LENGTH, 512),
                         (AACENC_BITRATE, kbps * 1000), (AACENC_TRANSMUX, TT_MP4_RAW),
                         (AACENC_AFTERBURNER, 1)):
        err = lib.aacEncoder_SetParam(handle, param, value)
        if err != 0:
            sys.exit("aacEncoder_SetParam 0x%04x=%d: error 0x%x" % (param, value, err))
    if lib.aacEncEncode(handle, None, None, None, None) != 0:
        sys.exit("aacEncEncode (initialisation) failed")
    info = InfoStruct()
    if lib.aacEncInfo(handle, ctypes.byref(info)) != 0:
        sys.exit("aacEncInfo failed")
    asc = bytes(info.confBuf[:info.confSize])
    out_buf = ctypes.create_string_buffer(20480)
    out_desc = one_buffer(OUT_BITSTREAM_DATA, out_buf, len(out_buf), 1)
    chunk = 512 * channels * 2  # one frame of interleaved 16-bit samples
    cpu = 0.0
    pos = 0
    packets = 0
    with open(dst, "wb") as f:
        f.write(b"FLV\x01\x04\x00\x00\x00\x09\x00\x00\x00\x00")
        f.write(flv_tag(0, b"\xaf\x00" + asc))  # AAC sequence header: the ASC
        while True:
            piece = pcm[pos:pos + chunk]
            pos += len(piece)
            in_buf = ctypes.create_string_buffer(piece, max(len(piece), 2))
            in_desc = one_buffer(IN_AUDIO_DATA, in_buf, len(piece), 2)
            in_args = InArgs(len(piece) // 2 if piece else -1, 0)
            out_args = OutArgs()
            t0 = time.process_time()
            err = lib.aacEncEncode(handle, ctypes.byref(in_desc), ctypes.byref(out_desc),
                                   ctypes.byref(in_args), ctypes.byref(out_args))
            cpu += time.process_time() - t0
            if err == AACENC_ENCODE_EOF:
                break
            if err != 0:
                sys.exit("aacEncEncode: error 0x%x" % err)
            if out_args.numOutBytes > 0:
                ms = packets * info.frameLength * 1000 // rate
                f.write(flv_tag(ms, b"\xaf\x01" + out_buf.raw[:out_args.numOutBytes]))
                packets += 1
    lib.aacEncClose(ctypes.byref(handle))
    print("cpu_s=%.4f clip_s=%.3f" % (cpu, frames / rate))


if __name__ == "__main__":
    main()

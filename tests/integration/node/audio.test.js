// Floe's own AAC encoders (HE-AAC, HE-AACv2, AAC-LD) end to end: what ffprobe and two independent
// decoders (FFmpeg's and Debian's faad) make of their output, and where the audio sits against
// the video it came with. Real peers: nginx-rtmp on 127.0.0.1, sources rendered by FFmpeg's
// lavfi, `floe transcode` as the engine.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFile, execFileSync, spawn } = require('node:child_process');
const { startNginx, publish, transcode, probe, summarize } = require('./lib/media');
const { startServer } = require('./lib/server');
const { v1Client } = require('./lib/clients');
const { until } = require('./lib/until');

let nginx;
let dir;
test.before(async () => {
  nginx = await startNginx();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'floe-audio-'));
});
test.after(async () => {
  if (nginx) await nginx.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function run(cmd, args, timeout = 60000) {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) =>
      resolve({ ok: !err, stdout, stderr: `${err ? err.message : ''} ${stderr}`.trim() }));
  });
}

// 12 s of black video with one white frame at every whole second, and a 40 ms 1 kHz beep starting
// at the same instants in both channels: the offset between the two is the A/V sync.
function syncSource(file, seconds) {
  const beep = 'if(lt(mod(t\\,1)\\,0.04)\\,0.5*sin(2*PI*1000*t)\\,0)';
  execFileSync('ffmpeg', ['-hide_banner', '-v', 'error', '-y',
    '-f', 'lavfi', '-i', "color=black:s=320x240:r=25,format=yuv420p,geq=lum='if(lt(mod(T\\,1)\\,0.04)\\,235\\,16)':cb=128:cr=128",
    '-f', 'lavfi', '-i', `aevalsrc='${beep}|${beep}':s=48000`,
    '-t', String(seconds), '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '25',
    '-c:a', 'aac', '-b:a', '128k', '-f', 'flv', file]);
}

// Median of (beep onset − flash) over the flashes of a recorded file, in seconds, from the
// decoded pictures' mean luma and the decoded audio's RMS per millisecond.
async function avOffset(file) {
  const v = await run('ffprobe', ['-v', 'error', '-f', 'lavfi', `movie=${file},signalstats`,
    '-show_entries', 'frame=pts_time:frame_tags=lavfi.signalstats.YAVG', '-of', 'csv=p=0']);
  const a = await run('ffprobe', ['-v', 'error', '-f', 'lavfi', `amovie=${file},pan=mono|c0=c0,asetnsamples=n=48,astats=metadata=1:reset=1`,
    '-show_entries', 'frame=pts_time:frame_tags=lavfi.astats.Overall.RMS_level', '-of', 'csv=p=0']);
  assert.ok(v.ok && a.ok, `${v.stderr} ${a.stderr}`);
  const rows = (text) => text.split('\n').filter(Boolean).map((l) => l.split(',').map(Number));
  const flashes = [];
  let lit = false;
  for (const [t, y] of rows(v.stdout)) {
    if (y > 100 && !lit) flashes.push(t);
    lit = y > 100;
  }
  const blocks = rows(a.stdout);
  const offsets = [];
  for (const f of flashes) {
    // The beep is at -9 dBFS RMS: its onset is the first millisecond within 7 dB of it.
    const onset = blocks.find(([t, rms]) => t > f - 0.4 && t < f + 0.4 && rms > -16);
    if (onset) offsets.push(onset[0] - f);
  }
  assert.ok(offsets.length >= 4, `only ${offsets.length} flash/beep pairs in ${file} (${flashes.length} flashes)`);
  offsets.sort((x, y) => x - y);
  return offsets[Math.floor(offsets.length / 2)];
}

// Records `seconds` of a live URL into a file, packets copied.
function record(url, file, seconds) {
  return run('ffmpeg', ['-hide_banner', '-v', 'error', '-y', '-rw_timeout', '10000000', '-i', url,
    '-t', String(seconds), '-c', 'copy', '-f', 'flv', file], (seconds + 20) * 1000);
}

const PROFILES = [
  { profile: 'aac_he', label: 'HE-AAC', rate: 48000, channels: 2, kbps: 48 },
  { profile: 'aac_he_v2', label: 'HE-AACv2', rate: 48000, channels: 2, kbps: 32 },
  { profile: 'aac_ld', label: 'LD', rate: 44100, channels: 2, kbps: 128 },
];

// The three profiles run side by side (each its own publisher, transcode and recording): what
// is measured is in the streams' timestamps, not in how fast the machine runs them.
test('RTMP outputs of every profile: what ffprobe says, and A/V sync', { concurrency: PROFILES.length }, async (t) => {
  await Promise.all(PROFILES.map((p) => t.test(`${p.profile}: ffprobe says ${p.label} at ${p.rate} Hz, ${p.channels} ch; the audio stays within 20 ms of its video`, { timeout: 90000 }, async () => {
    const src = path.join(dir, `sync-${p.profile}.flv`);
    syncSource(src, 14);
    const inOffset = await avOffset(src);
    const name = `sync-${p.profile}`;
    const pub = spawn('ffmpeg', ['-hide_banner', '-v', 'error', '-re', '-i', src, '-c', 'copy', '-f', 'flv', nginx.url(name)],
      { stdio: 'ignore' });
    await sleep(1000);
    const out = nginx.url(`${name}-out`);
    const job = transcode({
      templates: [{ Type: 'normal', TemplateConfig: {
        VideoParams: { Height: '240', Fps: '25', Bitrate: '300' },
        AudioParams: { Codec: 'AAC', Profile: p.profile, Bitrate: String(p.kbps), Samplerate: String(p.rate), Channels: String(p.channels) } } }],
      input: nginx.url(name),
      outputs: [out],
    });
    try {
      await sleep(2500);
      const recorded = path.join(dir, `${name}-out.flv`);
      const [got, rec] = await Promise.all([probe(out, { seconds: 4 }), record(out, recorded, 8)]);
      const s = summarize(got);
      const where = JSON.stringify(s);
      assert.equal(s.audio.codec, 'aac', where);
      assert.equal(s.audio.profile, p.label, where);
      assert.equal(s.audio.sampleRate, p.rate, where);
      assert.equal(s.audio.channels, p.channels, where);
      assert.ok(rec.ok, rec.stderr);
      const outOffset = await avOffset(recorded);
      const diffMs = (outOffset - inOffset) * 1000;
      console.log(`# ${p.profile}: A/V offset input ${(inOffset * 1000).toFixed(1)} ms, output ${(outOffset * 1000).toFixed(1)} ms, difference ${diffMs.toFixed(1)} ms`);
      assert.ok(Math.abs(diffMs) <= 20, `the audio moved ${diffMs.toFixed(1)} ms against its video`);
      // FFmpeg's decoder reads the recording with no warning. HE-AACv2's mono core may fill a
      // packet to the AAC limit on an attack after digital silence (every beep here), leaving
      // no room for that frame's SBR data: it goes out without it (README, "Audio profiles"),
      // the decoder says so once and plays the frame without its high band.
      const dec = await run('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'warning', '-i', recorded, '-f', 'null', '-']);
      const lines = dec.stderr.trim().split('\n').filter(Boolean);
      const dropped = lines.filter((l) => /No quantized data read for sbr_dequant/.test(l));
      console.log(`# ${p.profile}: ${dropped.length} frame(s) without SBR data in 8 s of beeps after silence`);
      assert.deepEqual(lines.filter((l) => !dropped.includes(l)), []);
      assert.ok(dropped.length <= (p.profile === 'aac_he_v2' ? 2 : 0), lines.join('\n'));
    } finally {
      job.proc.kill('SIGTERM');
      if (pub.exitCode === null) pub.kill('SIGTERM');
    }
    const end = await job.done;
    assert.equal(end.code, 0, end.err);
  })));
});

// Two minutes of a changing stereo signal (pink noise, a tone, a tremolo tone, a slow pan),
// encoded the way a job's audio stage does (bench/audio/floe_audio_encode: TemplateSpec →
// MakeEncodeSettings → Encoder), then decoded whole by FFmpeg and by faad.
const ENCODE = process.env.FLOE_AUDIO_ENCODE ||
  path.join(path.dirname(require('./lib/server').FLOE_BIN), 'bench', 'floe_audio_encode');
// FLOE_AUDIO_LONG_S: the sanitizer pass (make test-asan) decodes 30 s of each, the same code
// paths at a quarter of its slow instrumented encode.
const LONG_S = Number(process.env.FLOE_AUDIO_LONG_S || 120);
// At 24 kbit/s (HE, HEv2) the core is Floe's own LC (src/media/aac/ld_encoder.h).
const LONG = [
  { profile: 'aac_he', label: 'HE-AAC', rate: 48000, channels: 2, kbps: 48 },
  { profile: 'aac_he', label: 'HE-AAC', rate: 48000, channels: 2, kbps: 24 },
  { profile: 'aac_he', label: 'HE-AAC', rate: 44100, channels: 1, kbps: 32 },
  { profile: 'aac_he_v2', label: 'HE-AACv2', rate: 48000, channels: 2, kbps: 24 },
  { profile: 'aac_ld', label: 'LD', rate: 44100, channels: 2, kbps: 96 },
];

function longSource(rate) {
  const file = path.join(dir, `long-${rate}.wav`);
  if (fs.existsSync(file)) return file;
  execFileSync('ffmpeg', ['-hide_banner', '-v', 'error', '-y', '-filter_complex',
    `anoisesrc=c=pink:a=0.15:d=${LONG_S}:r=${rate}[n];sine=f=220:d=${LONG_S}:r=${rate},volume=0.3[a];` +
    `sine=f=2637:d=${LONG_S}:r=${rate},tremolo=f=3,volume=0.2[b];[n][a][b]amix=inputs=3,apulsator=hz=0.25[out]`,
    '-map', '[out]', '-c:a', 'pcm_f32le', '-ar', String(rate), '-ac', '2', file]);
  return file;
}

for (const p of LONG) {
  test(`${p.profile} ${p.rate} Hz ${p.channels} ch: ${LONG_S / 60} minutes decode cleanly in FFmpeg and in faad`, { timeout: 240000 }, async () => {
    const m4a = path.join(dir, `long-${p.profile}-${p.rate}-${p.channels}.m4a`);
    const enc = await run(ENCODE, [longSource(p.rate), m4a, p.profile, String(p.kbps), String(p.rate), String(p.channels)], 180000);
    assert.ok(enc.ok, enc.stderr);
    const info = await run('ffprobe', ['-v', 'error', '-show_entries', 'stream=profile,sample_rate,channels:format=duration,bit_rate', '-of', 'json', m4a]);
    const j = JSON.parse(info.stdout);
    assert.equal(j.streams[0].profile, p.label, info.stdout);
    assert.equal(Number(j.streams[0].sample_rate), p.rate);
    assert.equal(j.streams[0].channels, p.channels);
    const kbps = Number(j.format.bit_rate) / 1000;
    assert.ok(Math.abs(kbps - p.kbps) <= p.kbps * 0.1, `${kbps.toFixed(1)} kbit/s for a ${p.kbps} kbit/s target`);
    const ff = await run('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'warning', '-i', m4a, '-f', 'null', '-'], 120000);
    assert.ok(ff.ok, ff.stderr);
    assert.equal(ff.stderr.trim(), '', 'FFmpeg decodes every packet without a warning');
    const wav = path.join(dir, `long-${p.profile}.faad.wav`);
    const faad = await run('faad', ['-q', '-o', wav, m4a], 120000);
    assert.ok(faad.ok, faad.stderr);
    assert.doesNotMatch(faad.stderr, /error|warning/i);
    const out = JSON.parse((await run('ffprobe', ['-v', 'error', '-show_entries', 'stream=sample_rate,channels:format=duration', '-of', 'json', wav])).stdout);
    assert.equal(Number(out.streams[0].sample_rate), p.rate, 'faad decodes the SBR band (output at the full rate)');
    if (p.channels === 1 && p.profile === 'aac_he') {
      // faad plays every mono SBR stream as two channels (it keeps room for parametric stereo
      // whatever psPresentFlag says): both must carry the same signal.
      assert.equal(out.streams[0].channels, 2);
      const diff = await run('ffmpeg', ['-hide_banner', '-nostdin', '-i', wav, '-af', 'pan=mono|c0=c0-c1,astats', '-f', 'null', '-']);
      assert.match(diff.stderr, /RMS level dB: -inf/, 'faad made two different channels of a mono stream');
    } else {
      assert.equal(out.streams[0].channels, p.channels);
    }
    assert.ok(Math.abs(Number(out.format.duration) - LONG_S) < 0.5, `faad decoded ${out.format.duration} s of ${LONG_S} s`);
    fs.rmSync(wav, { force: true });
  });
}

// The same profiles through the API: a template made with the official SDK, a job on a live
// source; what the origin receives is what the template asked for.
const JOBS = [
  { profile: 'aac_he', label: 'HE-AAC', rate: 44100, channels: 1, kbps: 32 },
  { profile: 'aac_he_v2', label: 'HE-AACv2', rate: 44100, channels: 2, kbps: 32 },
  // Asked at 32000 Hz: LD runs at 44100, the rate players decode it at from FLV (README).
  { profile: 'aac_ld', label: 'LD', rate: 32000, outRate: 44100, channels: 1, kbps: 64 },
];

test('API jobs: the origin receives each profile as its template asks', { timeout: 120000 }, async () => {
  const server = await startServer();
  const sdk = v1Client(server.creds);
  const src = publish(nginx.url('api-src'), { seconds: 60, size: '320x240', rate: 15 });
  const ids = [];
  try {
    await sleep(1000);
    for (const p of JOBS) {
      const { TemplateId } = await sdk.call('CreateLiveTranscodeTemplate', { Name: `api-${p.profile}`, Type: 'audio-only',
        TemplateConfig: JSON.stringify({ AudioParams: { Codec: 'AAC', Profile: p.profile, Bitrate: String(p.kbps),
          Samplerate: String(p.rate), Channels: String(p.channels) } }) });
      const { JobId } = await sdk.call('SubmitLiveTranscodeJob', { Name: `api-${p.profile}`, TemplateId, StartMode: '0',
        StreamInput: JSON.stringify({ Type: 'rtmp', InputUrl: nginx.url('api-src') }),
        TranscodeOutput: JSON.stringify({ Type: 'rtmp', OutputUrl: nginx.url(`api-${p.profile}`) }) });
      ids.push(JobId);
    }
    for (const [i, p] of JOBS.entries()) {
      await until(`job ${p.profile} running`, async () => {
        const j = (await sdk.call('GetLiveTranscodeJob', { JobId: ids[i] })).Job;
        return j.Process && j.Process.State === 'running';
      }, 30000, 250);
      const got = summarize(await probe(nginx.url(`api-${p.profile}`), { seconds: 4 }));
      const where = JSON.stringify(got);
      assert.equal(got.audio.profile, p.label, where);
      assert.equal(got.audio.sampleRate, p.outRate || p.rate, where);
      assert.equal(got.audio.channels, p.channels, where);
      // The job's HLS preview cannot carry LD: the job says so instead of a broken stream.
      const events = (await sdk.call('GetLiveTranscodeJob', { JobId: ids[i] })).Job.Events.map((e) => e.Event);
      assert.equal(events.includes('preview_unavailable'), p.profile === 'aac_ld', JSON.stringify(events));
    }
  } finally {
    for (const id of ids) await sdk.call('SendLiveTranscodeJobCommand', { JobId: id, Command: 'stop' }).catch(() => {});
    src.stop();
    await server.stop();
  }
});

// The media engine through `floe transcode`, against a real nginx-rtmp on 127.0.0.1 fed by a
// live lavfi source, checked with ffprobe: every template field and type, SIGTERM, bad URLs.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFile } = require('node:child_process');
const { startNginx, publish, transcode, probe, watch, summarize } = require('./lib/media');

let nginx;
test.before(async () => {
  nginx = await startNginx();
});
test.after(async () => {
  if (nginx) await nginx.stop();
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const MATRIX = [
  {
    name: 'h264-640x360-baseline-aac',
    template: { Type: 'normal', TemplateConfig: {
      VideoParams: { Codec: 'H.264', Width: '640', Height: '360', Fps: '25', Bitrate: '800', Gop: '50', Profile: '1' },
      AudioParams: { Codec: 'AAC', Bitrate: '96', Samplerate: '44100', Channels: '2', Profile: 'aac_low' } } },
    expect: { video: { codec: 'h264', profile: /Baseline/, width: 640, height: 360, fps: '25/1', gop: 50, kbps: 800 },
      audio: { codec: 'aac', profile: 'LC', sampleRate: 44100, channels: 2 } },
  },
  {
    name: 'h264-height-only-high-mp3-mono',
    template: { Type: 'normal', TemplateConfig: {
      VideoParams: { Height: '480', Fps: '30', Bitrate: '1200', Gop: '30', Profile: '3' },
      AudioParams: { Codec: 'MP3', Bitrate: '128', Samplerate: '44100', Channels: '1' } } },
    expect: { video: { codec: 'h264', profile: /^High$/, width: 854, height: 480, fps: '30/1', gop: 30, kbps: 1200 },
      audio: { codec: 'mp3', sampleRate: 44100, channels: 1 } },
  },
  {
    name: 'h264-width-only-main-15fps-aac-48k-mono',
    template: { Type: 'normal', TemplateConfig: {
      VideoParams: { Width: 320, Fps: 15, Bitrate: 300, Gop: 15, Profile: 2 },
      AudioParams: { Codec: 'AAC', Bitrate: '64', Samplerate: '48000', Channels: '1' } } },
    expect: { video: { codec: 'h264', profile: /^Main$/, width: 320, height: 180, fps: '15/1', gop: 15, kbps: 300 },
      audio: { codec: 'aac', sampleRate: 48000, channels: 1 } },
  },
  {
    name: 'audio-only',
    template: { Type: 'audio-only', TemplateConfig: { AudioParams: { Codec: 'AAC', Bitrate: '64', Samplerate: '22050', Channels: '1' } } },
    expect: { video: null, audio: { codec: 'aac', sampleRate: 22050, channels: 1 } },
  },
  {
    name: 'origin',
    template: { Type: 'origin' },
    expect: { video: { codec: 'h264', width: 1280, height: 720, gop: 30 }, audio: { codec: 'aac', sampleRate: 48000 } },
  },
  {
    name: 'narrow-band-h264',
    template: { Type: 'narrow-band', TemplateConfig: { VideoParams: { Width: '640', Height: '360', Fps: '30', Bitrate: '1000', Gop: '60' } } },
    expect: { video: { codec: 'h264', width: 640, height: 360, fps: '30/1', gop: 60, maxKbps: 1000 }, audio: { codec: 'aac' } },
  },
];

test('every template field and type: one decode, six renditions, checked with ffprobe', { timeout: 120000 }, async () => {
  const src = publish(nginx.url('matrix-src'), { seconds: 30 });
  await sleep(1500);
  const outputs = MATRIX.map((m) => nginx.url(`matrix-${m.name}`));
  const job = transcode({ templates: MATRIX.map((m) => m.template), input: nginx.url('matrix-src'), outputs });
  try {
    await sleep(6000);
    const probes = await Promise.all(outputs.map((u) => probe(u, { seconds: 8 })));
    probes.forEach((p, i) => {
      const { name, expect } = MATRIX[i];
      const got = summarize(p);
      const where = `${name}: ${JSON.stringify(got)}`;
      if (expect.video === null) {
        assert.equal(got.video, undefined, where);
      } else {
        const v = got.video;
        assert.ok(v, where);
        assert.equal(v.codec, expect.video.codec, where);
        if (expect.video.profile) assert.match(v.profile, expect.video.profile, where);
        assert.equal(v.width, expect.video.width, where);
        assert.equal(v.height, expect.video.height, where);
        if (expect.video.fps) {
          assert.equal(v.fps, expect.video.fps, where);
          const fps = Number(expect.video.fps.split('/')[0]);
          assert.ok(Math.abs(v.frameRate - fps) / fps < 0.05, `measured ${v.frameRate} fps; ${where}`);
        }
        // Keyframes exactly every Gop frames (whole gaps inside the probed window).
        assert.ok(v.keyframeGaps.length >= 1, `no full GOP seen; ${where}`);
        for (const gap of v.keyframeGaps) assert.equal(gap, expect.video.gop, where);
        if (expect.video.kbps) {
          assert.ok(Math.abs(v.kbps - expect.video.kbps) / expect.video.kbps <= 0.2, `bitrate ${v.kbps} vs ${expect.video.kbps}; ${where}`);
        }
        if (expect.video.maxKbps) assert.ok(v.kbps <= expect.video.maxKbps * 1.2, `bitrate ${v.kbps}; ${where}`);
      }
      const a = got.audio;
      assert.ok(a, where);
      assert.equal(a.codec, expect.audio.codec, where);
      if (expect.audio.profile) assert.equal(a.profile, expect.audio.profile, where);
      if (expect.audio.sampleRate) assert.equal(a.sampleRate, expect.audio.sampleRate, where);
      if (expect.audio.channels) assert.equal(a.channels, expect.audio.channels, where);
    });
    const stats = job.stats();
    assert.ok(stats.length >= 3, 'stats every second');
    const last = stats[stats.length - 1];
    assert.equal(last.outputs.length, MATRIX.length);
    // The stats say what moves (real-time speed itself is measured by make bench-media, not
    // asserted here: a loaded sanitizer run is slower than real time).
    assert.ok(stats.some((st) => st.input.fps > 0), JSON.stringify(last));
    assert.ok(stats.some((st) => st.speed > 0), JSON.stringify(last));
    for (const key of ['fps', 'kbps', 'dropped', 'duplicated', 'encode_latency_ms', 'reconnects']) {
      assert.ok(key in last.outputs[0], key);
    }
  } finally {
    job.proc.kill('SIGTERM');
    src.stop();
  }
  const end = await job.done;
  assert.equal(end.code, 0, end.err);
});

test('SIGTERM flushes and exits 0; HLS from the same encoders ends its playlist', { timeout: 60000 }, async () => {
  const hls = fs.mkdtempSync(path.join(os.tmpdir(), 'floe-hls-'));
  const src = publish(nginx.url('term-src'), { seconds: 30 });
  await sleep(1500);
  const job = transcode({
    templates: [{ Type: 'normal', TemplateConfig: { VideoParams: { Codec: 'H.264', Height: '360', Fps: '30', Bitrate: '600', Gop: '60' } } }],
    input: nginx.url('term-src'),
    outputs: [nginx.url('term-out')],
    hls,
  });
  const viewer = watch(nginx.url('term-out'), 12);
  await sleep(7000);
  const t0 = Date.now();
  job.proc.kill('SIGTERM');
  const end = await job.done;
  src.stop();
  assert.equal(end.code, 0, end.err);
  assert.ok(Date.now() - t0 < 3000, 'stops within 3 s');
  // Flushed: the viewer got the output up to its last frames (the final stats line counts them
  // at 30 fps; a close without flush loses what was still queued).
  const { packets } = await viewer;
  const lastPts = Math.max(...packets.filter((p) => p.codec_type === 'video').map((p) => Number(p.pts_time)));
  const stats = job.stats();
  // The final stats line comes after the flush; a process that just exits never prints it.
  assert.equal(stats.at(-1).final, true, JSON.stringify(stats.at(-1)));
  const frames = stats.at(-1).outputs[0].frames;
  // (The media clock starts at 1 s: encoders that prime stamp audio before the first frame.)
  assert.ok(lastPts - 1 >= frames / 30 - 0.25, `the viewer's last frame is at ${lastPts} s of ${frames / 30} s`);
  const playlist = fs.readFileSync(path.join(hls, 'index.m3u8'), 'utf8');
  assert.match(playlist, /#EXT-X-TARGETDURATION:2/);
  assert.match(playlist, /#EXT-X-ENDLIST/);
  const seg = playlist.split('\n').find((l) => l.endsWith('.ts'));
  const p = summarize(await probe(path.join(hls, seg), { seconds: 10 }));
  assert.equal(p.video.codec, 'h264');
  assert.equal(p.video.height, 360);
});

test('URLs outside the whitelist are refused with a clear error', async () => {
  for (const [input, output, field] of [
    ['file:///etc/passwd', nginx.url('x'), 'InputUrl'],
    ['concat:/etc/passwd|/etc/hosts', nginx.url('x'), 'InputUrl'],
    [nginx.url('x'), 'file:///tmp/out.flv', 'OutputUrl'],
  ]) {
    const job = transcode({ templates: [{ Type: 'origin' }], input, outputs: [output] });
    const end = await job.done;
    assert.notEqual(end.code, 0);
    assert.match(end.err, new RegExp(`InvalidParam.${field}.*not allowed`));
  }
});

test('an AAC profile asked for what it cannot carry is refused, never substituted', async () => {
  const job = transcode({
    templates: [{ Type: 'audio-only', TemplateConfig: { AudioParams: { Codec: 'AAC', Profile: 'aac_he_v2', Channels: '1' } } }],
    input: nginx.url('never'),
    outputs: [nginx.url('never-out')],
  });
  const end = await job.done;
  assert.notEqual(end.code, 0);
  assert.match(end.err, /InvalidParam\.AudioParams\.Channels.*aac_he_v2.*2 channels/);
});

// Floe's own HE-AAC v1 (native LC core at 24 kHz + its SBR): what players see of it.
test('aac_he over RTMP: ffprobe says HE-AAC, 48000 Hz, 2 channels and ffmpeg decodes it without a warning', { timeout: 60000 }, async () => {
  const src = publish(nginx.url('he-src'), { seconds: 20, size: '320x240', rate: 15 });
  await sleep(1500);
  const out = nginx.url('he-out');
  const job = transcode({
    templates: [{ Type: 'audio-only', TemplateConfig: { AudioParams: {
      Codec: 'AAC', Profile: 'aac_he', Bitrate: '48', Samplerate: '48000', Channels: '2' } } }],
    input: nginx.url('he-src'),
    outputs: [out],
  });
  try {
    await sleep(4000);
    const got = summarize(await probe(out, { seconds: 5 }));
    const where = JSON.stringify(got);
    assert.ok(got.audio, where);
    assert.equal(got.audio.codec, 'aac', where);
    assert.equal(got.audio.profile, 'HE-AAC', where);
    assert.equal(got.audio.sampleRate, 48000, where);
    assert.equal(got.audio.channels, 2, where);
    const warnings = await new Promise((resolve) => {
      execFile('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'warning', '-rw_timeout', '10000000', '-i', out,
        '-t', '5', '-f', 'null', '-'], { timeout: 20000 }, (err, stdout, stderr) => resolve(err ? `${err.message} ${stderr}` : stderr));
    });
    assert.equal(warnings.trim(), '');
  } finally {
    job.proc.kill('SIGTERM');
    src.stop();
  }
  const end = await job.done;
  assert.equal(end.code, 0, end.err);
});

// A damaged FLV published into nginx: corrupted payloads, then a cut mid-tag. Floe must end
// cleanly (no signal, no sanitizer report), whatever it could or could not decode.
test('a corrupted and truncated FLV input ends cleanly, never a crash', { timeout: 60000 }, async () => {
  const { execFileSync } = require('node:child_process');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'floe-bad-'));
  const good = path.join(dir, 'good.flv');
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=30',
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', '8', '-c:v', 'libx264', '-preset', 'ultrafast',
    '-g', '30', '-c:a', 'aac', '-f', 'flv', good]);
  const bytes = fs.readFileSync(good);
  // Flip bytes inside the video payloads (tag headers and timestamps kept, so the stream plays
  // on in real time and the decoder meets the damage), then cut mid-tag.
  let flipped = 0;
  for (let at = 13; at + 11 <= bytes.length;) {
    const type = bytes[at];
    const size = bytes.readUIntBE(at + 1, 3);
    const data = at + 11;
    if (type === 9 && at > 4096) {
      for (let i = data + 16; i < data + size; i += 97) {
        bytes[i] ^= 0x5a;
        flipped++;
      }
    }
    at = data + size + 4;
  }
  assert.ok(flipped > 1000, `only ${flipped} bytes damaged`);
  const bad = path.join(dir, 'bad.flv');
  fs.writeFileSync(bad, bytes.subarray(0, Math.floor(bytes.length * 0.7)));
  const { spawn } = require('node:child_process');
  const pub = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'quiet', '-re', '-err_detect', 'ignore_err', '-i', bad,
    '-c', 'copy', '-f', 'flv', nginx.url('bad-src')], { stdio: 'ignore' });
  await sleep(800);
  const job = transcode({
    templates: [{ Type: 'normal', TemplateConfig: { VideoParams: { Height: '240', Fps: '25', Bitrate: '300' } } }],
    input: nginx.url('bad-src'),
    outputs: [nginx.url('bad-out')],
    args: ['--read-timeout-ms', '1000', '--reconnect-window-ms', '1500', '--connect-timeout-ms', '3000'],
  });
  const end = await job.done;
  if (pub.exitCode === null) pub.kill('SIGKILL');
  assert.equal(end.signal, null, `killed by ${end.signal}: ${end.err.slice(-2000)}`);
  assert.ok(end.code === 0 || end.code === 1, `exit ${end.code}: ${end.err.slice(-2000)}`);
  assert.doesNotMatch(end.err, /AddressSanitizer|runtime error/);
  if (end.code === 1) assert.match(end.err.trim().split('\n').pop(), /^floe transcode: /);
  // It really read the damaged stream: the input was opened and frames of it were decoded
  // (input fps is decoded frames a second) before it ended.
  const decoded = job.stats().reduce((n, st) => n + st.input.fps, 0);
  assert.ok(decoded >= 30, `only ${decoded} input frames decoded: ${end.err.slice(-1000)}`);
  assert.ok(job.stats().some((st) => st.outputs[0].frames > 0), 'nothing was encoded');
});

test('HLS input over http (extension)', { timeout: 60000 }, async () => {
  const { execFileSync } = require('node:child_process');
  const http = require('node:http');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'floe-hlsin-'));
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=30',
    '-f', 'lavfi', '-i', 'sine=sample_rate=48000', '-t', '8', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '30',
    '-c:a', 'aac', '-f', 'hls', '-hls_time', '1', '-hls_list_size', '0', path.join(dir, 'index.m3u8')]);
  const server = http.createServer((req, res) => {
    const file = path.join(dir, path.basename(req.url.split('?')[0]));
    if (!fs.existsSync(file)) return res.writeHead(404).end();
    res.writeHead(200).end(fs.readFileSync(file));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  try {
    const job = transcode({
      templates: [{ Type: 'normal', TemplateConfig: { VideoParams: { Height: '180', Fps: '30', Bitrate: '300' } } }],
      input: `http://127.0.0.1:${server.address().port}/index.m3u8`,
      outputs: [nginx.url('hlsin-out')],
      args: ['--reconnect-window-ms', '500', '--read-timeout-ms', '1000'],
    });
    const seen = await watchFirstStreams(nginx.url('hlsin-out'));
    const end = await job.done;
    assert.equal(end.code, 0, end.err);
    assert.equal(seen.height, 180);
  } finally {
    server.close();
  }
});

test('SRT input (extension)', { timeout: 60000 }, async () => {
  const { spawn } = require('node:child_process');
  const { freePort } = require('./lib/media');
  const port = await freePort();
  const pub = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=30',
    '-f', 'lavfi', '-i', 'sine=sample_rate=48000', '-t', '20', '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency',
    '-g', '30', '-c:a', 'aac', '-f', 'mpegts', `srt://127.0.0.1:${port}?mode=listener`], { stdio: 'ignore' });
  await sleep(1000);
  const job = transcode({
    templates: [{ Type: 'normal', TemplateConfig: { VideoParams: { Height: '180', Fps: '25', Bitrate: '300' } } }],
    input: `srt://127.0.0.1:${port}?mode=caller`,
    outputs: [nginx.url('srt-out')],
  });
  try {
    const seen = await watchFirstStreams(nginx.url('srt-out'));
    assert.equal(seen.height, 180);
  } finally {
    job.proc.kill('SIGTERM');
    pub.kill('SIGTERM');
  }
  const end = await job.done;
  assert.equal(end.code, 0, end.err);
});

// The video stream's parameters of a live output, as soon as it has some.
async function watchFirstStreams(url) {
  for (let i = 0; i < 20; i++) {
    try {
      const p = await probe(url, { seconds: 1, timeoutMs: 8000 });
      const v = p.streams.find((s) => s.codec_type === 'video');
      if (v) return v;
    } catch {
      /* not published yet */
    }
    await sleep(500);
  }
  throw new Error(`no video on ${url}`);
}

test('H.265 over RTMP in Floe\'s own FLV (Enhanced RTMP hvc1 and codec id 12), and in HLS', { timeout: 90000 }, async () => {
  const { execFile } = require('node:child_process');
  const { FLOE_BIN } = require('./lib/server');
  const flvProbe = (url) =>
    new Promise((resolve, reject) =>
      execFile(FLOE_BIN, ['flv-probe', '--input', url, '--seconds', '6'], { timeout: 20000 }, (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message} ${stderr}`)) : resolve(JSON.parse(stdout))));
  const src = publish(nginx.url('hevc-src'), { seconds: 40, size: '640x360' });
  await sleep(1500);
  for (const mode of ['enhanced', 'codec-id-12']) {
    const hls = fs.mkdtempSync(path.join(os.tmpdir(), 'floe-hevc-'));
    const out = nginx.url(`hevc-out-${mode}`, mode === 'enhanced' ? 'ertmp' : 'live');
    const job = transcode({
      templates: [{ Type: 'normal', TemplateConfig: {
        VideoParams: { Codec: 'H.265', Height: '240', Fps: '25', Bitrate: '400', Gop: '25' },
        AudioParams: { Codec: 'AAC', Bitrate: '64' } } }],
      input: nginx.url('hevc-src'),
      outputs: [out],
      hls,
      args: ['--hevc-flv', mode],
    });
    try {
      await sleep(2500);
      const s = await flvProbe(out);
      assert.equal(s.convention, mode === 'enhanced' ? 'hvc1' : 'codec-id-12', JSON.stringify(s));
      assert.ok(s.decoded_frames >= 50, JSON.stringify(s));
      assert.equal(s.width, 426);
      assert.equal(s.height, 240);
      assert.ok(s.keyframes >= 2 && s.sequence_headers >= s.keyframes, JSON.stringify(s));
      assert.ok(s.audio_tags > 50, JSON.stringify(s));
    } finally {
      job.proc.kill('SIGTERM');
    }
    const end = await job.done;
    assert.equal(end.code, 0, end.err);
    const playlist = fs.readFileSync(path.join(hls, 'index.m3u8'), 'utf8');
    const seg = playlist.split('\n').find((l) => l.endsWith('.ts'));
    const p = summarize(await probe(path.join(hls, seg), { seconds: 10 }));
    assert.equal(p.video.codec, 'hevc');
    assert.equal(p.video.height, 240);
    for (const gap of p.video.keyframeGaps) assert.equal(gap, 25);
  }
  src.stop();
});

// The media engine through `floe transcode`, against a real nginx-rtmp on 127.0.0.1 fed by a
// live lavfi source, checked with ffprobe: every template field and type, SIGTERM, bad URLs.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startNginx, publish, transcode, probe, summarize } = require('./lib/media');

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
    assert.ok(last.input.fps > 20, JSON.stringify(last));
    assert.ok(last.speed > 0.8, JSON.stringify(last));
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
  await sleep(7000);
  const t0 = Date.now();
  job.proc.kill('SIGTERM');
  const end = await job.done;
  src.stop();
  assert.equal(end.code, 0, end.err);
  assert.ok(Date.now() - t0 < 3000, 'stops within 3 s');
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

test('an AAC profile the linked libavcodec cannot encode is refused, not substituted', async () => {
  const job = transcode({
    templates: [{ Type: 'audio-only', TemplateConfig: { AudioParams: { Codec: 'AAC', Profile: 'aac_he' } } }],
    input: nginx.url('never'),
    outputs: [nginx.url('never-out')],
  });
  const end = await job.done;
  assert.notEqual(end.code, 0);
  assert.match(end.err, /AudioParams.Profile.*libfdk_aac/);
});

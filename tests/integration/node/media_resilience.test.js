// The live behaviour players depend on: when the input drops the output does not (slate and
// silence at the template's rate, timestamps monotonic, audio and video in sync), the input is
// reconnected and takes over again; when the output drops it is reconnected on its own.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { startNginx, publish, transcode, watch } = require('./lib/media');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const TEMPLATE = { Type: 'normal', TemplateConfig: {
  VideoParams: { Codec: 'H.264', Height: '360', Fps: '25', Bitrate: '600', Gop: '50' },
  AudioParams: { Codec: 'AAC', Bitrate: '64', Samplerate: '44100', Channels: '2' } } };

function streamTimes(packets, type) {
  return packets.filter((p) => p.codec_type === type).map((p) => Number(p.pts_time));
}

function maxGap(times) {
  let gap = 0;
  for (let i = 1; i < times.length; i++) gap = Math.max(gap, times[i] - times[i - 1]);
  return gap;
}

test('input drops three times (2 s, 4 s, 1 s): output timestamps stay continuous and in sync', { timeout: 90000 }, async (t) => {
  const nginx = await startNginx();
  try {
    const src = nginx.url('drop-src');
    const out = nginx.url('drop-out');
    const origin = nginx.url('drop-origin');
    let pub = publish(src, { seconds: 6, size: '640x360' });
    await sleep(1500);
    const job = transcode({ templates: [TEMPLATE, { Type: 'origin' }], input: src, outputs: [out, origin],
      args: ['--read-timeout-ms', '1000', '--reconnect-window-ms', '20000', '--slate-black-after-ms', '1500'] });
    await sleep(1000);
    const watching = watch(out, 30);
    const watchingOrigin = watch(origin, 30);
    for (const [gapMs, seconds] of [[2000, 5], [4000, 4], [1000, 4]]) {
      await pub.done;
      await sleep(gapMs);
      pub = publish(src, { seconds, size: '640x360' });
    }
    await pub.done;
    const { packets } = await watching;
    job.proc.kill('SIGTERM');
    const end = await job.done;
    assert.equal(end.code, 0, end.err);

    const v = streamTimes(packets, 'video');
    const a = streamTimes(packets, 'audio');
    assert.ok(v.length > 25 * 15, `video packets: ${v.length}`);
    for (const times of [v, a]) {
      for (let i = 1; i < times.length; i++) assert.ok(times[i] > times[i - 1], `timestamps go back at ${i}: ${times[i - 1]} → ${times[i]}`);
    }
    // 25 fps: one frame every 40 ms; the slate keeps it so through every drop.
    assert.ok(maxGap(v) <= 0.2, `video gap ${maxGap(v)} s`);
    assert.ok(maxGap(a) <= 0.2, `audio gap ${maxGap(a)} s`);
    const drift = v[v.length - 1] - a[a.length - 1];
    const stats = job.stats();
    const last = stats[stats.length - 1];
    assert.equal(last.input.reconnects, 3, JSON.stringify(last));
    assert.ok(Math.abs(drift) < 0.15, `A/V drift ${drift} s`);
    assert.ok(Math.abs(last.outputs[0].av_offset_ms) < 150, JSON.stringify(last));

    // The origin rendition cannot carry a slate (nothing is encoded), but it goes on after each
    // reconnect, from the input's first keyframe, its timestamps still rising.
    const o = await watchingOrigin;
    const ov = streamTimes(o.packets, 'video');
    for (let i = 1; i < ov.length; i++) assert.ok(ov[i] > ov[i - 1], `origin timestamps go back at ${i}`);
    const pauses = ov.slice(1).map((x, i) => x - ov[i]).filter((gap) => gap > 0.5);
    assert.equal(pauses.length, 3, `origin pauses: ${pauses}`);
    assert.ok(ov[ov.length - 1] - ov[0] > 18, `origin span ${ov[ov.length - 1] - ov[0]} s`);
    assert.equal((end.err.match(/event=copy_stopped/g) || []).length, 0, end.err);
    t.diagnostic(`after 3 drops: output span ${(v[v.length - 1] - v[0]).toFixed(2)} s, ` +
      `A/V drift at the end ${(drift * 1000).toFixed(1)} ms, stats av_offset ${last.outputs[0].av_offset_ms} ms, ` +
      `silence inserted ${last.outputs[0].silence_inserted_ms} ms, duplicated ${last.outputs[0].duplicated} frames`);
  } finally {
    await nginx.stop();
  }
});

test('output drops and comes back: reconnected without restarting the input', { timeout: 60000 }, async () => {
  const input = await startNginx();
  let output = await startNginx();
  const port = output.port;
  try {
    const src = publish(input.url('od-src'), { seconds: 25, size: '640x360' });
    await sleep(1500);
    // The output goes to the application with wait_key off: nginx relays what Floe sends as it
    // is, so the keyframe check below sees Floe's first packet, not nginx's own wait for a key.
    const job = transcode({ templates: [TEMPLATE], input: input.url('od-src'), outputs: [output.url('od-out', 'ertmp')] });
    await sleep(4000);
    await output.stop();
    await sleep(2000);
    output = await startNginx({ port });
    // A viewer waiting on the new origin sees what Floe sends from its reconnect on.
    const { packets } = await watch(output.url('od-out', 'ertmp'), 12);
    assert.ok(packets.length > 50, `packets after the output came back: ${packets.length}`);
    const video = packets.filter((p) => p.codec_type === 'video');
    assert.match(video[0].flags || '', /K/, `the first video packet after the reconnect is a keyframe: ${JSON.stringify(video[0])}`);
    const pts = video.map((p) => Number(p.pts_time));
    assert.ok(pts[pts.length - 1] > pts[0] + 2, `timestamps rise: ${pts[0]} → ${pts[pts.length - 1]}`);
    const stats = job.stats();
    const last = stats[stats.length - 1];
    assert.ok(last.outputs[0].reconnects >= 1, JSON.stringify(last));
    assert.equal(last.input.reconnects, 0, JSON.stringify(last));
    job.proc.kill('SIGTERM');
    src.stop();
    const end = await job.done;
    assert.equal(end.code, 0, end.err);
    assert.match(end.err, /event=output_lost/);
    assert.match(end.err, /event=output_reconnected/);
  } finally {
    await input.stop();
    await output.stop();
  }
});

// Hostile streams (issue 8): an input whose resolution changes mid-stream, whose audio drops,
// whose timestamps jump backwards and forwards, and that carries garbage between valid packets.
// Served byte for byte as HLS segments (MPEG-TS) from a local HTTP server, so Floe reads exactly
// these bytes. Floe must get through or end with a clear error: never a crash, never a stall.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { startNginx, transcode } = require('./lib/media');

let nginx;
test.before(async () => {
  nginx = await startNginx();
});
test.after(async () => {
  if (nginx) await nginx.stop();
});

// One 2 s MPEG-TS segment of a test pattern: size, with or without audio, timestamps from offset.
function segment(file, { size = '640x360', audio = true, offset = 0, source = 'testsrc2' }) {
  const args = ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', `${source}=size=${size}:rate=30`];
  if (audio) args.push('-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000');
  args.push('-t', '2', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '30');
  if (audio) args.push('-c:a', 'aac', '-b:a', '64k');
  args.push('-output_ts_offset', String(offset), '-f', 'mpegts', file);
  execFileSync('ffmpeg', args);
}

test('resolution changes, audio drops, timestamp jumps and garbage: Floe gets through, never crashes or stalls',
  { timeout: 120000 }, async (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'floe-hostile-ts-'));
    const plan = [
      { size: '640x360', offset: 0 },
      { size: '1280x720', offset: 2 }, // resolution change
      { size: '640x360', offset: 4, audio: false }, // audio drops
      { size: '640x360', offset: 1 }, // timestamps jump backwards
      { size: '640x360', offset: 1000 }, // and far forwards
      { size: '640x360', offset: 1002, garbage: true }, // garbage between packets
      { size: '320x240', offset: 1004, source: 'smptebars' },
    ];
    let playlist = '#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n';
    plan.forEach((p, i) => {
      const file = path.join(dir, `s${i}.ts`);
      segment(file, p);
      if (p.garbage) {
        // Unaligned junk, including fake sync bytes, between runs of valid packets.
        const ts = fs.readFileSync(file);
        const parts = [];
        for (let at = 0; at < ts.length; at += 188 * 40) {
          parts.push(ts.subarray(at, at + 188 * 40));
          const junk = Buffer.alloc(97 + (at % 211));
          for (let k = 0; k < junk.length; k++) junk[k] = (k * 73 + at) & 0xff;
          junk[0] = 0x47;
          parts.push(junk);
        }
        fs.writeFileSync(file, Buffer.concat(parts));
      }
      playlist += `#EXTINF:2.0,\ns${i}.ts\n`;
    });
    playlist += '#EXT-X-ENDLIST\n';
    fs.writeFileSync(path.join(dir, 'live.m3u8'), playlist);
    const server = http.createServer((req, res) => {
      const file = path.join(dir, path.basename(req.url.split('?')[0]));
      if (!fs.existsSync(file)) return res.writeHead(404).end();
      res.writeHead(200).end(fs.readFileSync(file));
    });
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    try {
      const started = Date.now();
      const job = transcode({
        templates: [{ Type: 'normal', TemplateConfig: { VideoParams: { Height: '240', Fps: '25', Bitrate: '300' }, AudioParams: { Codec: 'AAC', Bitrate: '64' } } }],
        input: `http://127.0.0.1:${server.address().port}/hostile/live.m3u8`,
        outputs: [nginx.url('hostile-ts')],
        args: ['--read-timeout-ms', '2000', '--reconnect-window-ms', '2000'],
      });
      const end = await job.done;
      const took = Date.now() - started;
      assert.equal(end.signal, null, `killed by ${end.signal}: ${end.err.slice(-2000)}`);
      assert.doesNotMatch(end.err, /AddressSanitizer|runtime error|LeakSanitizer/);
      assert.ok(end.code === 0 || end.code === 1, `exit ${end.code}: ${end.err.slice(-1000)}`);
      if (end.code === 1) assert.match(end.err.trim().split('\n').pop(), /^floe transcode: /);
      // Never a stall: 14 s of input (it is read as fast as it comes) is done well within a minute.
      assert.ok(took < 60000, `took ${took} ms`);
      // It went on through every hostile part: input frames were decoded for at least most of
      // the 14 s (420 frames at 30 fps), and the output kept its own frame rate.
      const stats = job.stats();
      const decoded = stats.reduce((n, s) => n + s.input.fps, 0);
      assert.ok(decoded >= 300, `only ${decoded} input frames decoded`);
      const last = stats[stats.length - 1].outputs[0];
      assert.ok(stats.some((st) => st.outputs[0].kbps > 0), 'nothing reached the RTMP output');
      t.diagnostic(`exit ${end.code} after ${took} ms; ${decoded} input frames decoded, ${last.frames} output frames`);
      assert.ok(last.frames >= 250, `only ${last.frames} output frames`);
      // The jump of 1000 s forward is a discontinuity, not 1000 s of repeated frames to make up.
      assert.ok(last.frames <= 14 * 25 * 1.5, `${last.frames} output frames for 14 s of input`);
      assert.match(end.err, /event=input_discontinuity jump_ms=99\d\d\d\d/);
      assert.match(end.err, /event=input_discontinuity jump_ms=-\d{4}/);
    } finally {
      server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

// Recording by copy through `floe record`, against a real nginx-rtmp on 127.0.0.1 fed by a live
// lavfi source, checked with ffprobe: m3u8 segments of their SliceDuration with a
// discontinuity where the input went away and came back, flv and fragmented mp4 beside them,
// and the mp4 a SIGKILLed recorder leaves, playable to within one fragment of the kill.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFile } = require('node:child_process');
const { startNginx, publish, record } = require('./lib/media');
const { probeUrl } = require('./lib/records');

let nginx;
test.before(async () => {
  nginx = await startNginx();
});
test.after(async () => {
  if (nginx) await nginx.stop();
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Decodes a file through and counts its errors (what a player would stumble on).
function decodeErrors(file) {
  return new Promise((resolve) => {
    execFile('ffmpeg', ['-v', 'error', '-i', file, '-f', 'null', '-'], { timeout: 30000 }, (err, stdout, stderr) => {
      resolve(stderr.split('\n').filter(Boolean));
    });
  });
}

const FORMATS = [
  { Format: 'm3u8', OssObjectPrefix: 'record/{JobId}/{Sequence}_{EscapedStartTime}_{EscapedEndTime}',
    SliceOssObjectPrefix: 'record/{JobId}/ts/{UnixTimestamp}_{Sequence}', SliceDuration: 5 },
  { Format: 'flv', OssObjectPrefix: 'record/{JobId}/{Sequence}_{StartTime}_{EndTime}' },
  { Format: 'mp4', OssObjectPrefix: 'record/{JobId}/{Sequence}_{EscapedStartTime}_{EscapedEndTime}' },
];

test('m3u8 segments of their slice with a discontinuity across a gap, flv and mp4 beside them; a SIGKILL leaves a playable mp4',
  { timeout: 90000 }, async (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'floe-rec-'));
    const killedDir = fs.mkdtempSync(path.join(os.tmpdir(), 'floe-rec-kill-'));
    const input = nginx.url('rec-src');
    let src = publish(input, { seconds: 11, size: '320x180', rate: 25 });
    await sleep(1500);
    const rec = record({ input, dir, formats: FORMATS, args: ['--read-timeout-ms', '1500'] });
    const killed = record({ input, dir: killedDir, formats: [FORMATS[2]] });
    await sleep(7000);
    killed.proc.kill('SIGKILL');
    await killed.done;
    await src.done;
    await sleep(2500);  // the input away for a few seconds: the same files go on
    src = publish(input, { seconds: 7, size: '320x180', rate: 25 });
    await src.done;
    await sleep(1000);
    rec.proc.kill('SIGTERM');
    const end = await rec.done;
    assert.equal(end.code, 0, end.err);

    const files = rec.files();
    t.diagnostic(`files: ${files.map((f) => `${f.Format} ${f.Duration.toFixed(2)} s ${f.Size} B`).join(', ')}`);
    assert.deepEqual(files.map((f) => f.Format).sort(), ['flv', 'm3u8', 'mp4'], JSON.stringify(files));
    for (const f of files) {
      assert.equal(f.Sequence, 1);
      assert.equal(f.Width, 320);
      assert.equal(f.Height, 180);
      assert.ok(f.Duration > 14 && f.Duration < 20, `${f.Format}: ${f.Duration} s recorded of about 17`);
      assert.ok(f.Size > 50000, `${f.Format}: ${f.Size} bytes`);
      const file = path.join(dir, f.Object);
      assert.equal(fs.statSync(file).size > 0, true);
      const p = await probeUrl(file);
      assert.equal(p.video.codec_name, 'h264');
      assert.equal(p.audio.codec_name, 'aac');
      assert.ok(Math.abs(p.duration - f.Duration) < 1, `${f.Format}: ffprobe says ${p.duration} s, the recorder ${f.Duration}`);
      assert.deepEqual(await decodeErrors(file), [], f.Object);
    }
    const m3u8 = files.find((f) => f.Format === 'm3u8');
    assert.match(m3u8.Object, /^record\/job1\/1_\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d_\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d\.m3u8$/);
    const playlist = fs.readFileSync(path.join(dir, m3u8.Object), 'utf8');
    assert.match(playlist, /#EXT-X-ENDLIST/);
    assert.equal(playlist.split('#EXT-X-DISCONTINUITY').length - 1, 1, playlist);
    // Each segment, by ffprobe: SliceDuration ± 1 s, but for the last before the gap and at the end.
    const lines = playlist.split('\n');
    const segments = [];
    for (let i = 0; i < lines.length; i++) {
      if (lines[i].startsWith('#EXTINF:')) segments.push({ listed: parseFloat(lines[i].slice(8)), uri: lines[i + 1], cut: lines[i + 2] === '#EXT-X-DISCONTINUITY' });
    }
    assert.ok(segments.length >= 4, playlist);
    for (const [i, s] of segments.entries()) {
      assert.match(s.uri, /^ts\/\d{13}_\d+\.ts$/);
      const p = await probeUrl(path.join(dir, 'record/job1', s.uri));
      assert.ok(Math.abs(p.duration - s.listed) < 0.5, `${s.uri}: ffprobe ${p.duration} s, listed ${s.listed}`);
      if (i + 1 < segments.length && !s.cut) assert.ok(Math.abs(p.duration - 5) <= 1, `${s.uri}: ${p.duration} s`);
    }
    assert.equal(fs.readdirSync(path.join(dir, '.recording', 'job1')).length, 0);

    // The SIGKILLed recorder's mp4, under its in-progress name (RUN-SEQUENCE.mp4): it plays up to
    // its last fragment (a keyframe interval, 1 s here) before the kill.
    const left = fs.readdirSync(path.join(killedDir, '.recording/job1'));
    assert.equal(left.length, 1, left.join(' '));
    assert.match(left[0], /^\w+-1\.mp4$/);
    const partial = path.join(killedDir, '.recording/job1', left[0]);
    const p = await probeUrl(partial);
    t.diagnostic(`the SIGKILLed mp4 plays ${p.duration} s; segments ${segments.map((x) => x.listed).join(' ')}`);
    assert.equal(p.video.codec_name, 'h264');
    // 7 s ran before the kill, less its connect and its wait for a first keyframe (≤ 1 s).
    assert.ok(p.duration > 7 - 1 - 1 - 0.5, `the killed mp4 plays ${p.duration} s of about 7`);
    assert.deepEqual(await decodeErrors(partial), [], 'the killed mp4 decodes cleanly');
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(killedDir, { recursive: true, force: true });
  });

test('what floe record refuses is said before it connects', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'floe-rec-bad-'));
  const input = nginx.url('rec-none');
  for (const [jobId, formats, code] of [
    ['../up', [FORMATS[1]], 'InvalidParam.JobId'],
    ['job1', [{ Format: 'm3u8' }], 'InvalidParam.RecordFormat'],  // no SliceOssObjectPrefix
  ]) {
    const end = await record({ input, dir, formats, jobId }).done;
    assert.equal(end.code, 2, end.err);
    assert.match(end.err, new RegExp(code.replace('.', '\\.')));
  }
  assert.deepEqual(fs.readdirSync(dir), []);
  fs.rmSync(dir, { recursive: true, force: true });
});

// A record job's media process killed while it records: the job's next process closes the files
// the dead one left (they play to where it stopped) and they are catalogued with the rest. Real
// parts as in record_jobs.test.js; out of the sanitizer pass (the recovery runs under ASan in
// the recorder's unit tests).
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { publish } = require('./lib/media');
const { FAMILY_SDKS } = require('./lib/clients');
const { until } = require('./lib/until');
const { RECORD_FORMATS, startRecording, probeUrl } = require('./lib/records');

let env;
test.before(async () => {
  env = await startRecording();
});
test.after(async () => {
  if (env) await env.stop();
});

const V3 = FAMILY_SDKS.find((s) => s.name === 'v3');

test('a media process killed while recording: the next one closes what it left, catalogued with the rest',
  { timeout: 90000 }, async () => {
    const { server, nginx, bucketDir } = env;
    const v3 = V3.writer(server.creds);
    const tpl = await v3.call('CreateLiveRecordTemplate', { Name: 'rec-kill', RecordFormat: JSON.stringify(RECORD_FORMATS) }, V3.write);
    const pub = publish(nginx.url('reckill'), { seconds: 14, size: '320x240', rate: 25 });
    const { JobId } = await v3.call('SubmitLiveRecordJob', {
      Name: 'killed', TemplateId: tpl.TemplateId, StreamInput: JSON.stringify({ Type: 'rtmp', Url: nginx.url('reckill') }),
      RecordOutput: JSON.stringify({ Type: 'oss', Bucket: 'rec-jobs' }),
    }, V3.write);
    const reader = V3.reader(server.creds);
    const get = async () => (await reader.call('GetLiveRecordJob', { JobId }, V3.read)).RecordJob;
    await until('the job records', async () => (await get()).Events.some((e) => e.Event === 'started'), 20000);
    await new Promise((r) => setTimeout(r, 6000));
    const [pid] = execFileSync('pgrep', ['-f', `run-job .*--lock-dir ${server.dataDir}/run`], { encoding: 'utf8' }).trim().split('\n');
    process.kill(Number(pid), 'SIGKILL');
    // The supervisor starts a new process; it finds the three files the dead one left.
    let files;
    await until('the dead process\'s files catalogued', async () => {
      files = await reader.call('ListLiveRecordFiles', { 'JobIds.1': JobId }, V3.read);
      return Number(files.TotalCount) >= 3;
    }, 20000);
    assert.deepEqual(files.Files.slice(0, 3).map((f) => f.Format).sort(), ['flv', 'm3u8', 'mp4']);
    for (const f of files.Files.slice(0, 3)) {
      // About 6 s were recorded before the kill (an m3u8 keeps its closed 5 s segments only).
      assert.ok(f.Duration > 3 && f.Duration < 8, `${f.Format}: ${f.Duration} s`);
      assert.equal(f.Width, 320);
      const p = await probeUrl(f.RecordUrl);
      assert.ok(p.video && p.audio, f.Format);
      assert.ok(Math.abs(p.duration - f.Duration) < 1.5, `${f.Format}: ffprobe ${p.duration} s, catalogue ${f.Duration} s`);
    }
    // The input ends; the job with it, the new process's files closed too.
    await pub.done;
    await until('the job ends', async () => (await get()).Status === 'paused', 20000);
    await until('six files in all', async () => {
      files = await reader.call('ListLiveRecordFiles', { 'JobIds.1': JobId }, V3.read);
      return files.TotalCount === '6';
    }, 10000);
    assert.deepEqual(fs.readdirSync(path.join(bucketDir, '.recording', JobId)), []);
  });

// Live recording jobs through the official SDKs, unmodified, against a real `floe serve`: a job
// records a live input (nginx-rtmp on 127.0.0.1 fed by lavfi) by copy into the account's bucket,
// ends when its input has been away (3 minutes in the API; `--record-input-wait-s 5` here), its
// files catalogued and listed with the SDK models' types, read back through their RecordUrl
// (the playlist's segments too) and checked with ffprobe, and deleted with their segments.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { publish } = require('./lib/media');
const { RECORD_FORMATS, startRecording, startReceiver, probeUrl, metric } = require('./lib/records');
const { FAMILY_SDKS, v1Client, v3Client, expectError } = require('./lib/clients');
const { admin } = require('./lib/admin');
const { until } = require('./lib/until');

let env;
let server;
let nginx;
let bucketDir;
let receiver;
test.before(async () => {
  env = await startRecording();
  ({ server, nginx, bucketDir } = env);
  receiver = await startReceiver();
});
test.after(async () => {
  if (env) await env.stop();
  if (receiver) await receiver.stop();
});

const V1 = FAMILY_SDKS.find((s) => s.name === 'v1');
const V3 = FAMILY_SDKS.find((s) => s.name === 'v3');
const FORMATS = RECORD_FORMATS;

test('a record job records its input into the bucket, ends when the input is gone, and its files are listed, read and deleted',
  { timeout: 120000 }, async () => {
    const v1 = V1.writer(server.creds);
    const v3 = V3.writer(server.creds);
    const tpl = await v3.call('CreateLiveRecordTemplate', { Name: 'rec-job', RecordFormat: JSON.stringify(FORMATS) }, V3.write);
    const pub = publish(nginx.url('recjob'), { seconds: 12, size: '320x240', rate: 25 });
    const input = { Type: 'rtmp', Url: nginx.url('recjob') };
    // A transcoding job of the account on the same input: the record job joins its media process.
    const transcode = await v3.call('SubmitLiveTranscodeJob', {
      Name: 'ladder', TemplateId: '00000000000000000000000000000360', StartMode: 0,
      StreamInput: JSON.stringify({ Type: 'rtmp', InputUrl: input.Url }),
      TranscodeOutput: JSON.stringify({ Type: 'rtmp', OutputUrl: nginx.url('recjob-360') }),
    });
    const output = { Type: 'oss', Bucket: 'rec-jobs', Endpoint: 'oss-local' };
    // V1 (pop-core): a POST whose object parameters are JSON strings.
    const { JobId } = await v1.call('SubmitLiveRecordJob', {
      Name: 'cam 1', TemplateId: tpl.TemplateId, StreamInput: JSON.stringify(input),
      RecordOutput: JSON.stringify(output), NotifyUrl: receiver.url('/notify'),
    });
    assert.match(JobId, /^[0-9a-f]{32}$/);

    const reader = V3.reader(server.creds);
    const get = async () => (await reader.call('GetLiveRecordJob', { JobId }, V3.read)).RecordJob;
    await until('the job records', async () => (await get()).Events.some((e) => e.Event === 'started'), 20000);
    const running = await get();
    assert.equal(running.Status, 'started');
    assert.equal(running.Name, 'cam 1');
    assert.equal(running.TemplateName, 'rec-job');
    assert.equal(running.NotifyUrl, receiver.url('/notify'));
    assert.deepEqual(running.StreamInput, input);
    assert.deepEqual(running.RecordOutput, output);
    assert.equal(running.Process.State, 'running');
    // One input, pulled once: one media process runs both jobs.
    const processes = execFileSync('pgrep', ['-f', `run-job .*--lock-dir ${server.dataDir}/run`], { encoding: 'utf8' })
      .trim().split('\n');
    assert.equal(processes.length, 1, processes.join(' '));
    const listed = await reader.call('ListLiveRecordJobs', { Keyword: 'cam', Status: 'started' }, V3.read);
    assert.equal(listed.TotalCount, 1);
    assert.equal(listed.LiveRecordJobs[0].JobId, JobId);
    // Transcoding's actions do not see it.
    await expectError(reader.call('GetLiveTranscodeJob', { JobId }, V3.read), 'ResourceNotFound', 404);

    // The input ends: 5 s later (the API's 3 minutes) so does the job, its files closed.
    await pub.done;
    await until('the job ends without its input', async () => (await get()).Status === 'paused', 20000);
    const ended = await get();
    assert.ok(ended.Events.some((e) => e.Event === 'stopped' && /no input/.test(e.Detail)), JSON.stringify(ended.Events));

    let files;
    await until('three files catalogued', async () => {
      files = await reader.call('ListLiveRecordFiles', { 'JobIds.1': JobId, PageSize: 5 }, V3.read);
      return files.TotalCount === '3';
    }, 10000);
    assert.equal(files.PageSize, '5');
    // Its callbacks: each file closed, then the end (README, "Callbacks").
    await until('the callbacks', () => receiver.posts.some((p) => p.body.Event === 'stopped') &&
      receiver.posts.filter((p) => p.body.Event === 'record_file').length === 3, 10000);
    const told = receiver.posts.filter((p) => p.body.Event === 'record_file');
    assert.deepEqual(told.map((p) => p.body.Data.Format).sort(), ['flv', 'm3u8', 'mp4']);
    for (const p of told) {
      assert.equal(p.body.JobId, JobId);
      assert.equal(p.body.Family, 'record');
      const f = files.Files.find((x) => x.RecordId === p.body.Data.RecordId);
      assert.ok(f, JSON.stringify(p.body));
      assert.equal(p.body.Data.Bucket, 'rec-jobs');
    }
    assert.match(receiver.posts.find((p) => p.body.Event === 'stopped').body.Data.Reason, /no input/);
    // Prometheus: the files the node catalogued.
    assert.equal(await metric(server, 'floe_node_record_files_total{node="rec-node"}'), 3);
    assert.ok(await metric(server, 'floe_node_record_file_bytes_total{node="rec-node"}') > 100000);
    assert.equal(files.PageNo, 1);
    assert.deepEqual(files.Files.map((f) => f.Format).sort(), ['flv', 'm3u8', 'mp4']);
    for (const f of files.Files) {
      assert.equal(f.JobId, JobId);
      assert.equal(f.JobName, 'cam 1');
      assert.equal(f.StreamUrl, input.Url);
      assert.deepEqual(JSON.parse(f.RecordOutput), output);  // a JSON string
      assert.equal(f.Width, 320);
      assert.equal(f.Height, 240);
      assert.ok(f.Duration > 8 && f.Duration < 14, `${f.Format} ${f.Duration} s`);
      assert.match(f.RecordUrl, new RegExp(`^http://127\\.0\\.0\\.1:${server.port}/files/rec-jobs/`));
      // The link plays as it is: the m3u8 with its segments, each file near the catalogued length.
      const p = await probeUrl(f.RecordUrl);
      assert.ok(p.video && p.audio, f.Format);
      assert.ok(Math.abs(p.duration - f.Duration) < 1.5, `${f.Format}: ffprobe ${p.duration} s, catalogue ${f.Duration} s`);
    }
    // The job's copy of its template, whatever becomes of the template.
    await v3.call('DeleteLiveRecordTemplate', { TemplateId: tpl.TemplateId }, V3.del);
    const copy = await reader.call('GetLiveRecordTemplate', { TemplateId: tpl.TemplateId, JobId }, V3.read);
    assert.equal(copy.RecordTemplate.Name, 'rec-job');
    assert.deepEqual(copy.RecordTemplate.RecordFormatList.map((f) => f.Format), ['m3u8', 'flv', 'mp4']);

    // Deleted with RemoveFile: the playlist and its segments leave the bucket.
    const m3u8 = files.Files.find((f) => f.Format === 'm3u8');
    const jobDir = path.join(bucketDir, 'record', JobId);
    assert.ok(fs.readdirSync(path.join(jobDir, 'ts')).length >= 2);
    const del = await v3.call('DeleteLiveRecordFiles', { 'RecordIds.1': m3u8.RecordId, 'RecordIds.2': 'f'.repeat(32), RemoveFile: true }, V3.del);
    assert.deepEqual(del.DeleteFileInfoList.map((d) => d.Code), ['OK', 'FileNotFound']);
    assert.deepEqual(fs.readdirSync(path.join(jobDir, 'ts')), []);
    assert.equal(fs.readdirSync(jobDir).filter((n) => n.endsWith('.m3u8')).length, 0);
    const left = await reader.call('ListLiveRecordFiles', { 'JobIds.1': JobId }, V3.read);
    assert.equal(left.TotalCount, '2');
    // Nothing left behind in the in-progress folder; the transcoding job went on without it.
    assert.deepEqual(fs.readdirSync(path.join(bucketDir, '.recording', JobId)), []);
    const ladder = (await v3.call('GetLiveTranscodeJob', { JobId: transcode.JobId })).Job;
    assert.equal(ladder.Status, 1);
    await v3.call('SendLiveTranscodeJobCommand', { JobId: transcode.JobId, Command: 'stop' });
  });

test('a submit names a bucket of its own account, with its endpoint', async () => {
  const other = admin(server.dataDir, 'account', 'create', '--name', 'rec-other');
  admin(server.dataDir, 'account', 'enable-ice', '--account', other.AccountId);
  admin(server.dataDir, 'bucket', 'add', '--account', other.AccountId, '--name', 'rec-other', '--endpoint', 'oss-other');
  const key = admin(server.dataDir, 'key', 'create', '--account', other.AccountId);
  const otherClient = v3Client({ port: server.port, accessKeyId: key.AccessKeyId, accessKeySecret: key.AccessKeySecret });
  const tpl = await otherClient.call('CreateLiveRecordTemplate', { Name: 'x', RecordFormat: JSON.stringify([{ Format: 'flv' }]) }, V3.write);
  const submit = (client, output) => client.call('SubmitLiveRecordJob', {
    Name: 'x', TemplateId: tpl.TemplateId, StreamInput: JSON.stringify({ Type: 'rtmp', Url: nginx.url('none') }),
    RecordOutput: JSON.stringify(output),
  }, V3.write);
  await expectError(submit(otherClient, { Type: 'oss', Bucket: 'rec-jobs' }), 'InvalidParam.RecordOutput.Bucket', 400);
  await expectError(submit(otherClient, { Type: 'oss', Bucket: 'rec-other', Endpoint: 'elsewhere' }), 'InvalidParam.RecordOutput.Endpoint', 400);
  await expectError(submit(otherClient, { Type: 'vod', Bucket: 'rec-other' }), 'InvalidParam.RecordOutput.Type', 400);
  // The root account cannot use the other account's template.
  await expectError(submit(v1Client(server.creds, 'POST'), { Type: 'oss', Bucket: 'rec-jobs' }), 'TemplateNotFound', 404);
  // An input that never comes: the job tries, then ends with an event saying so.
  const { JobId } = await submit(otherClient, { Type: 'oss', Bucket: 'rec-other' });
  await until('the job without input ends', async () => {
    const job = (await otherClient.call('GetLiveRecordJob', { JobId }, V3.read)).RecordJob;
    return job.Status === 'paused' && job.Events.some((e) => /no input/.test(e.Detail || ''));
  }, 20000);
  const files = await otherClient.call('ListLiveRecordFiles', { 'JobIds.1': JobId }, V3.read);
  assert.equal(files.TotalCount, '0');
});


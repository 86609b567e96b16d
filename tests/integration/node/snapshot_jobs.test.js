// Live snapshot jobs through the official SDKs, unmodified, against a real `floe serve`: a job
// takes a JPEG of a live input (nginx-rtmp on 127.0.0.1 fed by lavfi) every TimeInterval into the
// account's bucket, in the media process of the account's transcoding job on the same input (one
// pull, one decode); its pictures are listed page by page, read through their links and checked
// with ffprobe, and deleted; start, stop and restart move it with the family's codes; it ends
// when its input has been away (`--record-input-wait-s 5` here).
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { execFile, execFileSync } = require('node:child_process');
const { publish } = require('./lib/media');
const { startRecording, startReceiver, metric } = require('./lib/records');
const { FAMILY_SDKS, expectError } = require('./lib/clients');
const { until } = require('./lib/until');

let env;
let receiver;
test.before(async () => {
  env = await startRecording();
  receiver = await startReceiver();
});
test.after(async () => {
  if (env) await env.stop();
  if (receiver) await receiver.stop();
});

const V1 = FAMILY_SDKS.find((s) => s.name === 'v1');
const V3 = FAMILY_SDKS.find((s) => s.name === 'v3');

// ffprobe of a picture's link: its codec and size.
function probePicture(url) {
  return new Promise((resolve, reject) => {
    execFile('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name,width,height', '-of', 'json', url],
      { timeout: 20000 }, (err, stdout, stderr) => (err ? reject(new Error(`ffprobe ${url}: ${stderr}`))
        : resolve(JSON.parse(stdout).streams[0])));
  });
}

test('a snapshot job takes pictures beside a transcode of its input, is stopped and started, and its pictures are listed, read and deleted',
  { timeout: 120000 }, async () => {
    const { server, nginx, bucketDir } = env;
    const v1 = V1.writer(server.creds);
    const v3 = V3.writer(server.creds);
    const reader = V3.reader(server.creds);
    const tpl = await v3.call('CreateLiveSnapshotTemplate', {
      TemplateName: 'thumbs', TimeInterval: 5, OverwriteFormat: 'snapshot/{JobId}.jpg',
      SequenceFormat: 'snapshot/{JobId}/{Sequence}-{UnixTimestamp}.jpg',
    }, V3.write);
    const pub = publish(nginx.url('snapjob'), { seconds: 22, size: '320x240', rate: 25 });
    const input = { Type: 'rtmp', Url: nginx.url('snapjob') };
    const transcode = await v3.call('SubmitLiveTranscodeJob', {
      Name: 'ladder', TemplateId: '00000000000000000000000000000360', StartMode: 0,
      StreamInput: JSON.stringify({ Type: 'rtmp', InputUrl: input.Url }),
      TranscodeOutput: JSON.stringify({ Type: 'rtmp', OutputUrl: nginx.url('snapjob-360') }),
    });
    const output = { StorageType: 'oss', Bucket: 'rec-jobs', Endpoint: 'oss-local' };
    // V1 (pop-core): a POST whose object parameters are JSON strings.
    const { JobId } = await v1.call('SubmitLiveSnapshotJob', {
      JobName: 'cam 1', TemplateId: tpl.TemplateId, StreamInput: JSON.stringify(input),
      SnapshotOutput: JSON.stringify(output), CallbackUrl: receiver.url('/snap?k=1'),
    });
    assert.match(JobId, /^[0-9a-f]{32}$/);
    const get = () => reader.call('GetLiveSnapshotJob', { JobId }, V3.read);
    const job = await get();
    assert.equal(job.JobName, 'cam 1');
    assert.equal(job.Status, 'started');
    assert.equal(job.TimeInterval, 5);
    assert.equal(job.OverwriteFormat, 'snapshot/{JobId}.jpg');
    assert.equal(job.CallbackUrl, receiver.url('/snap?k=1'));
    assert.deepEqual(job.StreamInput, input);
    assert.deepEqual(job.SnapshotOutput, output);

    const start = new Date(Date.now() - 60000).toISOString();
    const end = new Date(Date.now() + 600000).toISOString();
    const files = async (extra = {}) => (await reader.call('ListLiveSnapshotFiles',
      { JobId, StartTime: start, EndTime: end, Limit: 100, ...extra }, V3.read)).FileList;
    let first;
    await until('two pictures taken', async () => {
      first = await files();
      return first.filter((f) => !f.IsOverlay).length >= 2;
    }, 30000);
    // One media process runs both jobs: the input pulled and decoded once.
    const processes = execFileSync('pgrep', ['-f', `run-job .*--lock-dir ${server.dataDir}/run`], { encoding: 'utf8' })
      .trim().split('\n');
    assert.equal(processes.length, 1, processes.join(' '));
    const overlay = first.filter((f) => f.IsOverlay);
    assert.equal(overlay.length, 1);
    assert.equal(overlay[0].OssObject, `snapshot/${JobId}.jpg`);
    for (const f of first) {
      assert.equal(f.OssBucket, 'rec-jobs');
      assert.equal(f.OssEndpoint, 'oss-local');
      assert.ok(Number.isInteger(f.CreateTimestamp));
      if (!f.IsOverlay) assert.match(f.OssObject, new RegExp(`^snapshot/${JobId}/\\d+-${f.CreateTimestamp}\\.jpg$`));
      // The picture, through its link: a JPEG at the input's size.
      const p = await probePicture(f.Url);
      assert.equal(p.codec_name, 'mjpeg');
      assert.equal(p.width, 320);
      assert.equal(p.height, 240);
      assert.ok(fs.statSync(path.join(bucketDir, f.OssObject)).size > 1000);
    }
    const seq = first.filter((f) => !f.IsOverlay);
    const gap = seq[1].CreateTimestamp - seq[0].CreateTimestamp;
    assert.ok(gap > 3500 && gap < 6500, `pictures ${gap} ms apart, TimeInterval 5 s`);
    // Its callback: a JSON POST per picture (README, "Callbacks").
    await until('a callback per picture', () => receiver.posts.filter((p) => p.body.Event === 'snapshot').length >= 2, 10000);
    for (const p of receiver.posts) {
      assert.equal(p.path, '/snap?k=1');
      assert.equal(p.type, 'application/json');
      assert.equal(p.body.JobId, JobId);
      assert.equal(p.body.JobName, 'cam 1');
      assert.equal(p.body.Family, 'snapshot');
      assert.match(p.body.EventTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
    const told = receiver.posts.find((p) => !p.body.Data.IsOverlay && p.body.Data.CreateTimestamp === seq[0].CreateTimestamp);
    assert.ok(told, JSON.stringify(receiver.posts.slice(0, 3)));
    assert.equal(told.body.Data.OssObject, seq[0].OssObject);
    assert.equal(told.body.Data.OssBucket, 'rec-jobs');
    // A callback to an address the node may not reach is refused at submit, never tried.
    await expectError(v3.call('SubmitLiveSnapshotJob', {
      JobName: 'x', TemplateId: tpl.TemplateId, StreamInput: JSON.stringify(input),
      SnapshotOutput: JSON.stringify(output), CallbackUrl: 'http://169.254.169.254/latest/meta-data',
    }, V3.write), 'InvalidParam.CallbackUrl', 400);
    // Prometheus: the node's snapshot job and its pictures.
    assert.equal(await metric(server, 'floe_node_family_jobs{node="rec-node",family="snapshot"}'), 1);
    assert.ok(await metric(server, 'floe_node_snapshots_total{node="rec-node"}') >= 4);
    assert.ok(await metric(server, 'floe_node_snapshot_bytes_total{node="rec-node"}') > 4000);
    // … and the job's own, also in its Process (Files, FileBytes).
    const mine = `{job_id="${JobId}",template_id="${tpl.TemplateId}",node="rec-node"}`;
    assert.ok(await metric(server, `floe_job_files_total${mine}`) >= 4);
    assert.ok(await metric(server, `floe_job_file_bytes_total${mine}`) > 4000);
    const proc = (await reader.call('GetLiveSnapshotJob', { JobId }, V3.read)).Process;
    assert.ok(proc.Files >= 4 && proc.FileBytes > 4000, JSON.stringify(proc));
    // A page of one: NextStartTime leads to the next picture.
    const page = await reader.call('ListLiveSnapshotFiles', { JobId, StartTime: start, EndTime: end, Limit: 1 }, V3.read);
    assert.equal(page.FileList.length, 1);
    assert.ok(page.NextStartTime > start, page.NextStartTime);

    // Commands: start while it runs is refused; stop ends its pictures; start takes them again.
    await expectError(v3.call('SendLiveSnapshotJobCommand', { JobId, Command: 'start' }, V3.write), 'JobAlreadyStarted', 409);
    await v3.call('SendLiveSnapshotJobCommand', { JobId, Command: 'stop' }, V3.write);
    assert.equal((await get()).Status, 'paused');
    const stoppedAt = Date.now();
    await v3.call('SendLiveSnapshotJobCommand', { JobId, Command: 'start' }, V3.write);
    await until('pictures again after start', async () =>
      (await files()).some((f) => !f.IsOverlay && f.CreateTimestamp > stoppedAt), 20000);
    // The transcoding job went on all along.
    assert.equal((await v3.call('GetLiveTranscodeJob', { JobId: transcode.JobId })).Job.Status, 1);

    // Deletes (the query of a POST): a sequence picture goes, with its file when asked (an
    // overwrite picture alone is refused: the unit tests of the snapshot job actions).
    const victim = seq[0];
    const del = await v3.call('DeleteLiveSnapshotFiles', {
      JobId, CreateTimestampList: JSON.stringify([victim.CreateTimestamp, 12345]), DeleteOriginalFile: true,
    }, V3.del);
    assert.deepEqual(del.DeleteFileResultList, [
      { CreateTimestamp: victim.CreateTimestamp, Result: 'OK' }, { CreateTimestamp: 12345, Result: 'NotFound' }]);
    assert.equal(fs.existsSync(path.join(bucketDir, victim.OssObject)), false);
    assert.ok(!(await files()).some((f) => f.CreateTimestamp === victim.CreateTimestamp && !f.IsOverlay));
    await expectError(v3.call('DeleteLiveSnapshotFiles', { JobId, CreateTimestampList: '[1]' }, V3.del), 'NoValidSnapshot', 404);

    // The input ends: 5 s later (the API's 3 minutes) so does the job, with an event.
    await pub.done;
    await until('the job ends without its input', async () => (await get()).Status === 'paused', 20000);
    assert.ok((await get()).Events.some((e) => e.Event === 'stopped' && /no input/.test(e.Detail)));
    const listed = await reader.call('ListLiveSnapshotJobs', { SearchKeyWord: 'cam', Status: 'paused' }, V3.read);
    assert.equal(listed.TotalCount, 1);
    assert.equal(listed.JobList[0].JobId, JobId);
    await v3.call('SendLiveTranscodeJobCommand', { JobId: transcode.JobId, Command: 'stop' });
  });

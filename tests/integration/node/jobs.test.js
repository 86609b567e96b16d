// Live transcoding jobs end to end: the official SDKs against a real `floe serve` with a
// LiveCenter mapping onto a real nginx-rtmp, fed by an ffmpeg publisher, checked with ffprobe.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { execFileSync, spawn } = require('node:child_process');
const { until } = require('./lib/until');
const { startServer, FLOE_BIN } = require('./lib/server');
const { v1Client, v3Client, expectError } = require('./lib/clients');
const { admin } = require('./lib/admin');
const { startNginx, publish, probe, expectNoStream, summarize } = require('./lib/media');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const DOMAIN = 'live.floe.test';
const utc = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

const CONFIG = {
  VideoParams: { Codec: 'H.264', Width: '640', Height: '360', Fps: '25', Bitrate: '500', Gop: '50', Profile: '2' },
  AudioParams: { Codec: 'AAC', Bitrate: '64', Samplerate: '44100', Channels: '1' },
};


function runJobCount(jobId) {
  try {
    return Number(execFileSync('pgrep', ['-fc', `run-job --group ${jobId} `], { encoding: 'utf8' }).trim());
  } catch (err) {
    if (err.status === 1) return 0; // pgrep exits 1 when nothing matches; anything else is a failure
    throw err;
  }
}

// The job processes of one server (found by its lock directory).
function serverProcessCount(srv) {
  try {
    return Number(execFileSync('pgrep', ['-fc', `run-job .*--lock-dir ${path.join(srv.dataDir, 'run')}`], { encoding: 'utf8' }).trim());
  } catch (err) {
    if (err.status === 1) return 0; // pgrep exits 1 when nothing matches; anything else is a failure
    throw err;
  }
}

// The job's process id, as an operator finds it (tenants never see it).
function runJobPid(jobId) {
  const pids = execFileSync('pgrep', ['-f', `run-job --group ${jobId} `], { encoding: 'utf8' }).trim().split('\n');
  assert.equal(pids.length, 1, `one run-job process for ${jobId}: ${pids}`);
  return Number(pids[0]);
}

let nginx;
let server;
let sdk;
let v3;
test.before(async () => {
  nginx = await startNginx();
  server = await startServer({ args: ['--live-center', `${DOMAIN}=rtmp://127.0.0.1:${nginx.port}`] });
  sdk = v1Client(server.creds);
  v3 = v3Client(server.creds);
});
test.after(async () => {
  if (server) await server.stop();
  if (nginx) await nginx.stop();
});

const input = (name) => JSON.stringify({ Type: 'rtmp', InputUrl: nginx.url(name) });
const liveCenter = (domain = DOMAIN) => JSON.stringify({ Type: 'LiveCenter', DomainName: domain });
const get = async (client, id) => (await client.call('GetLiveTranscodeJob', { JobId: id })).Job;

async function createTemplate(name = 'job-tpl') {
  const r = await sdk.call('CreateLiveTranscodeTemplate', { Name: name, Type: 'normal', TemplateConfig: JSON.stringify(CONFIG) });
  return r.TemplateId;
}

test('every Submit rule answers in the API error format', async () => {
  const tpl = await createTemplate('rules');
  const ok = { Name: 'j', TemplateId: tpl, StartMode: '0', StreamInput: input('rules'), TranscodeOutput: liveCenter() };
  const soon = Date.now() + 3600e3;
  const cases = [
    [{ ...ok, Name: undefined }, 'MissingParameter'],
    [{ ...ok, StartMode: '2' }, 'InvalidParam.StartMode'],
    [{ ...ok, StartMode: undefined }, 'MissingParameter'],
    [{ ...ok, StreamInput: undefined }, 'MissingParameter'],
    [{ ...ok, StreamInput: 'not json' }, 'InvalidParam.StreamInput'],
    [{ ...ok, StreamInput: JSON.stringify({ Type: 'rtmp', InputUrl: 'file:///etc/passwd' }) }, 'InvalidParam.StreamInput.InputUrl'],
    [{ ...ok, StreamInput: JSON.stringify({ Type: 'rtsp', InputUrl: 'rtsp://h/a/b' }) }, 'InvalidParam.StreamInput.Type'],
    [{ ...ok, StreamInput: JSON.stringify({ Type: 'rtmp', InputUrl: 'rtmp://h/a/b', BackupInputUrl: 'http://169.254.169.254/x' }) }, 'InvalidParam.StreamInput.BackupInputUrl'],
    [{ ...ok, TranscodeOutput: liveCenter('unmapped.example') }, 'InvalidParam.TranscodeOutput.DomainName'],
    [{ ...ok, TranscodeOutput: JSON.stringify({ Type: 'rtmp', OutputUrl: 'http://x/y' }) }, 'InvalidParam.TranscodeOutput.OutputUrl'],
    [{ ...ok, StartMode: '1', TimedConfig: JSON.stringify({ StartTime: utc(Date.now() + 8 * 86400e3) }) }, 'InvalidParam.TimedConfig.StartTime'],
    [{ ...ok, StartMode: '1', TimedConfig: JSON.stringify({ StartTime: utc(soon), EndTime: utc(soon - 60e3) }) }, 'InvalidParam.TimedConfig.EndTime'],
    [{ ...ok, StartMode: '1', TimedConfig: JSON.stringify({ StartTime: '2026-13-01T00:00:00Z' }) }, 'InvalidParam.TimedConfig.StartTime'],
    [{ ...ok, TemplateId: 'ffffffffffffffffffffffffffffffff' }, 'ResourceNotFound', 404],
  ];
  for (const client of [sdk, v3]) {
    for (const [params, code, status] of cases) {
      const p = Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined));
      await expectError(client.call('SubmitLiveTranscodeJob', p), code, status);
    }
    await expectError(client.call('GetLiveTranscodeJob', { JobId: 'ffffffffffffffffffffffffffffffff' }), 'ResourceNotFound', 404);
    await expectError(client.call('SendLiveTranscodeJobCommand', { JobId: 'ffffffffffffffffffffffffffffffff', Command: 'start' }), 'InvalidParam.Command');
  }
  // Nothing was created by the refused calls.
  assert.equal((await sdk.call('ListLiveTranscodeJobs', {})).TotalCount, 0);
});

test('LiveCenter mappings also come from the config file', async () => {
  const fs = require('node:fs');
  const os = require('node:os');
  const path = require('node:path');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'floe-cfg-'));
  const file = path.join(dir, 'floe.toml');
  fs.writeFileSync(file, '[serve]\nlive-center = ["cfg.example=rtmp://127.0.0.1:1936"]\n');
  const other = await startServer({ globalArgs: ['--config', file] });
  try {
    const client = v1Client(other.creds);
    const start = Date.now() + 3600e3;
    const { JobId: id } = await client.call('SubmitLiveTranscodeJob', {
      Name: 'cfg', TemplateId: '00000000000000000000000000000360', StartMode: '1',
      StreamInput: JSON.stringify({ Type: 'rtmp', InputUrl: 'rtmp://127.0.0.1:1935/app1/cam' }),
      TranscodeOutput: liveCenter('cfg.example'), TimedConfig: JSON.stringify({ StartTime: utc(start) }) });
    const job = (await client.call('GetLiveTranscodeJob', { JobId: id })).Job;
    assert.equal(job.OutputStream.StreamInfos[0].OutputUrl, 'rtmp://127.0.0.1:1936/app1/cam_00000000000000000000000000000360');
    await expectError(client.call('SubmitLiveTranscodeJob', { Name: 'x', TemplateId: '00000000000000000000000000000360', StartMode: '0',
      StreamInput: input('x'), TranscodeOutput: liveCenter(DOMAIN) }), 'InvalidParam.TranscodeOutput.DomainName', 400);
  } finally {
    await other.stop();
  }
});

test('timed jobs: Get, List filters, what Update may change and when, the template in use', async () => {
  const tpl = await createTemplate('timed');
  const start = Date.now() + 3600e3;
  const timed = JSON.stringify({ StartTime: utc(start), EndTime: utc(start + 600e3) });
  const { JobId: id } = await v3.call('SubmitLiveTranscodeJob', {
    Name: 'later', TemplateId: tpl, StartMode: '1', StreamInput: input('later'), TranscodeOutput: liveCenter(), TimedConfig: timed,
  });
  assert.match(id, /^[0-9a-f]{32}$/);
  let job = await get(sdk, id);
  assert.equal(job.Status, 0);
  assert.equal(job.StartMode, 1);
  assert.equal(job.TemplateName, 'timed');
  assert.equal(job.TemplateType, 'normal');
  assert.deepEqual(job.TimedConfig, { StartTime: utc(start), EndTime: utc(start + 600e3) });
  assert.deepEqual(job.OutputStream.StreamInfos, [{ Type: 'rtmp', OutputUrl: `rtmp://127.0.0.1:${nginx.port}/live/later_${tpl}` }]);
  assert.equal(job.Events[0].Event, 'submitted');

  // A backup input (Floe extension) is part of StreamInput: kept, shown, and replaced with it.
  const withBackup = JSON.stringify({ ...JSON.parse(input('later')), BackupInputUrl: 'rtmp://127.0.0.1:1935/live/later-backup' });
  await sdk.call('UpdateLiveTranscodeJob', { JobId: id, StreamInput: withBackup });
  job = await get(v3, id);
  assert.equal(job.StreamInput.BackupInputUrl, 'rtmp://127.0.0.1:1935/live/later-backup');
  // Not started: input, output and timing may change; the LiveCenter output follows the input.
  await sdk.call('UpdateLiveTranscodeJob', { JobId: id, Name: 'renamed', StreamInput: input('moved') });
  job = await get(v3, id);
  assert.equal(job.Name, 'renamed');
  assert.equal(job.StreamInput.BackupInputUrl, undefined);
  assert.equal(job.OutputStream.StreamInfos[0].OutputUrl, `rtmp://127.0.0.1:${nginx.port}/live/moved_${tpl}`);
  await sdk.call('UpdateLiveTranscodeJob', { JobId: id, TranscodeOutput: JSON.stringify({ Type: 'rtmp', OutputUrl: nginx.url('explicit') }) });
  assert.equal((await get(sdk, id)).OutputStream.StreamInfos[0].OutputUrl, nginx.url('explicit'));

  // A job not stopped holds its template.
  await expectError(sdk.call('UpdateLiveTranscodeTemplate', { TemplateId: tpl, Name: 'x' }), 'InvalidParam.TemplateIdInuse', 400);
  const e = await expectError(v3.call('DeleteLiveTranscodeTemplate', { TemplateId: tpl }), 'InvalidParam.TemplateIdInuse', 400);
  assert.match(e.message, /templateId is inuse/);

  const list = async (q) => (await sdk.call('ListLiveTranscodeJobs', q));
  assert.equal((await list({ Status: '0' })).TotalCount, 1);
  assert.equal((await list({ StartMode: '0' })).TotalCount, 0);
  assert.equal((await list({ KeyWord: id })).JobList[0].JobId, id);
  assert.equal((await list({ KeyWord: 'RENAM' })).TotalCount, 1);
  await expectError(list({ Status: '3' }), 'InvalidParam.Status');
  await expectError(list({ PageSize: '101' }), 'InvalidParam.PageSize');

  await sdk.call('SendLiveTranscodeJobCommand', { JobId: id, Command: 'stop' });
  job = await get(sdk, id);
  assert.equal(job.Status, 2);
  assert.equal(job.Events[job.Events.length - 1].Event, 'stopped');
  // Stopped: the template is free again, and the timed job can no longer change its input.
  await sdk.call('UpdateLiveTranscodeTemplate', { TemplateId: tpl, Name: 'free-again' });
  await expectError(sdk.call('UpdateLiveTranscodeJob', { JobId: id, StreamInput: input('x') }), 'InvalidParam.JobStatus');
  await sdk.call('DeleteLiveTranscodeJob', { JobId: id });
  await expectError(sdk.call('GetLiveTranscodeJob', { JobId: id }), 'ResourceNotFound', 404);
  await sdk.call('DeleteLiveTranscodeTemplate', { TemplateId: tpl });
});

test('jobs obey RAM policies and stay within their account', async () => {
  const acct = admin(server.dataDir, 'account', 'show-root').AccountId;
  admin(server.dataDir, 'user', 'create', '--account', acct, '--name', 'viewer');
  admin(server.dataDir, 'policy', 'attach', '--account', acct, '--user', 'viewer', '--document',
    '{"Version":"1","Statement":[{"Effect":"Allow","Action":["ice:Get*","ice:List*"],"Resource":"*"}]}');
  const k = admin(server.dataDir, 'key', 'create', '--account', acct, '--user', 'viewer');
  const viewer = v1Client({ port: server.port, accessKeyId: k.AccessKeyId, accessKeySecret: k.AccessKeySecret });
  await viewer.call('ListLiveTranscodeJobs', {});
  const e = await expectError(viewer.call('SubmitLiveTranscodeJob', { Name: 'n', TemplateId: '00000000000000000000000000000360', StartMode: '0', StreamInput: input('r'), TranscodeOutput: liveCenter() }), 'Forbidden.RAM', 403);
  assert.match(e.message, /SubmitLiveTranscodeJob/);
  await expectError(viewer.call('SendLiveTranscodeJobCommand', { JobId: 'ffffffffffffffffffffffffffffffff', Command: 'stop' }), 'Forbidden.RAM', 403);

  // Another account sees none of this account's jobs.
  const other = admin(server.dataDir, 'account', 'create', '--name', 'other').AccountId;
  admin(server.dataDir, 'account', 'enable-ice', '--account', other);
  const ok = admin(server.dataDir, 'key', 'create', '--account', other);
  const stranger = v1Client({ port: server.port, accessKeyId: ok.AccessKeyId, accessKeySecret: ok.AccessKeySecret });
  const start = Date.now() + 3600e3;
  const { JobId: id } = await sdk.call('SubmitLiveTranscodeJob', { Name: 'mine', TemplateId: '00000000000000000000000000000360', StartMode: '1',
    StreamInput: input('mine'), TranscodeOutput: liveCenter(), TimedConfig: JSON.stringify({ StartTime: utc(start) }) });
  await expectError(stranger.call('GetLiveTranscodeJob', { JobId: id }), 'ResourceNotFound', 404);
  await expectError(stranger.call('SendLiveTranscodeJobCommand', { JobId: id, Command: 'stop' }), 'ResourceNotFound', 404);
  assert.equal((await stranger.call('ListLiveTranscodeJobs', {})).TotalCount, 0);
  await sdk.call('DeleteLiveTranscodeJob', { JobId: id });
});

test('LiveCenter domains belong to one account: admin CLI, no output collides across accounts', async () => {
  // Two accounts reading …/live/cam1 with the same system template once both pushed to cam1_<T>.
  const a = admin(server.dataDir, 'account', 'create', '--name', 'dom-a').AccountId;
  const b = admin(server.dataDir, 'account', 'create', '--name', 'dom-b').AccountId;
  const clients = {};
  for (const acct of [a, b]) {
    admin(server.dataDir, 'account', 'enable-ice', '--account', acct);
    const k = admin(server.dataDir, 'key', 'create', '--account', acct);
    clients[acct] = v1Client({ port: server.port, accessKeyId: k.AccessKeyId, accessKeySecret: k.AccessKeySecret });
  }
  const added = admin(server.dataDir, 'domain', 'add', '--account', a, '--name', 'A.floe.test', '--push-base', 'rtmp://127.0.0.1:19999');
  assert.deepEqual({ ...added, CreateTime: undefined }, { DomainName: 'a.floe.test', AccountId: a, PushBase: 'rtmp://127.0.0.1:19999', CreateTime: undefined });
  admin(server.dataDir, 'domain', 'add', '--account', b, '--name', 'b.floe.test', '--push-base', 'rtmp://127.0.0.1:19998');
  assert.throws(() => admin(server.dataDir, 'domain', 'add', '--account', b, '--name', 'a.floe.test', '--push-base', 'rtmp://127.0.0.1:1'),
    (e) => e.json.Code === 'DomainAlreadyExists');
  assert.throws(() => admin(server.dataDir, 'domain', 'add', '--account', b, '--name', 'x.floe.test', '--push-base', 'http://h:1'),
    (e) => e.json.Code === 'InvalidParam.PushBase');
  assert.deepEqual(admin(server.dataDir, 'domain', 'list', '--account', a).Domains.map((d) => d.DomainName), ['a.floe.test']);
  assert.ok(admin(server.dataDir, 'domain', 'list').Domains.length >= 3); // with the --live-center one of root

  const timed = JSON.stringify({ StartTime: new Date(Date.now() + 3600e3).toISOString() }); // milliseconds form
  const submit = (client, domain) => client.call('SubmitLiveTranscodeJob', { Name: 'cam1', TemplateId: '00000000000000000000000000000360', StartMode: '1',
    StreamInput: input('cam1'), TranscodeOutput: JSON.stringify(domain ? { Type: 'LiveCenter', DomainName: domain } : { Type: 'LiveCenter' }), TimedConfig: timed });
  // B cannot use A's domain (answered as an unmapped one); without a DomainName each gets its own.
  await expectError(submit(clients[b], 'a.floe.test'), 'InvalidParam.TranscodeOutput.DomainName', 400);
  const ja = (await submit(clients[a])).JobId;
  const jb = (await submit(clients[b])).JobId;
  const outA = (await get(clients[a], ja)).OutputStream.StreamInfos[0].OutputUrl;
  const outB = (await get(clients[b], jb)).OutputStream.StreamInfos[0].OutputUrl;
  assert.equal(outA, 'rtmp://127.0.0.1:19999/live/cam1_00000000000000000000000000000360');
  assert.equal(outB, 'rtmp://127.0.0.1:19998/live/cam1_00000000000000000000000000000360');
  assert.equal((await get(clients[b], jb)).TranscodeOutput.DomainName, 'b.floe.test');
  // Two domains and none named: say which is missing.
  admin(server.dataDir, 'domain', 'add', '--account', b, '--name', 'b2.floe.test', '--push-base', 'rtmp://127.0.0.1:19997');
  await expectError(submit(clients[b]), 'MissingParameter', 400);
  assert.deepEqual(admin(server.dataDir, 'domain', 'delete', '--name', 'b2.floe.test'), { DomainName: 'b2.floe.test', Deleted: true });
  assert.throws(() => admin(server.dataDir, 'domain', 'delete', '--name', 'b2.floe.test'), (e) => e.json.Code === 'InvalidParam.DomainName');
  for (const [acct, id] of [[a, ja], [b, jb]]) await clients[acct].call('DeleteLiveTranscodeJob', { JobId: id });
});

test('a timed job without StartTime starts now; a TimedConfig sent with StartMode 0 is ignored', async () => {
  const tpl = await createTemplate('timed-now');
  const { JobId: now } = await v3.call('SubmitLiveTranscodeJob', { Name: 'now', TemplateId: tpl, StartMode: '1', StreamInput: input('tnow'), TranscodeOutput: liveCenter() });
  await until('the timed job to start', async () => (await get(sdk, now)).Status === 1);
  const { JobId: imm } = await sdk.call('SubmitLiveTranscodeJob', { Name: 'imm', TemplateId: tpl, StartMode: '0', StreamInput: input('timm'),
    TranscodeOutput: liveCenter(), TimedConfig: JSON.stringify({ StartTime: utc(Date.now() + 3600e3) }) });
  const j = await get(sdk, imm);
  assert.equal(j.StartMode, 0);
  assert.equal(j.Status, 1);
  assert.equal(j.TimedConfig, undefined);
  for (const id of [now, imm]) await sdk.call('DeleteLiveTranscodeJob', { JobId: id });
});

test('jobs that are not stopped are limited per account', async () => {
  const limited = await startServer({ args: ['--max-jobs-per-account', '2', '--live-center', `${DOMAIN}=rtmp://127.0.0.1:${nginx.port}`] });
  try {
    const c = v1Client(limited.creds);
    const submit = (n) => c.call('SubmitLiveTranscodeJob', { Name: n, TemplateId: '00000000000000000000000000000360', StartMode: '1',
      StreamInput: input(n), TranscodeOutput: liveCenter(), TimedConfig: JSON.stringify({ StartTime: utc(Date.now() + 3600e3) }) });
    const first = (await submit('q1')).JobId;
    await submit('q2');
    const e = await expectError(submit('q3'), 'QuotaExceeded.Jobs', 403);
    assert.match(e.message, /at most 2/);
    await c.call('SendLiveTranscodeJobCommand', { JobId: first, Command: 'stop' });
    await submit('q3');
  } finally {
    await limited.stop();
  }
});

test('jobs kept per account are limited, stopped ones too (--max-stored-jobs-per-account)', async () => {
  const limited = await startServer({ args: ['--max-stored-jobs-per-account', '2', '--live-center', `${DOMAIN}=rtmp://127.0.0.1:${nginx.port}`] });
  try {
    const c = v3Client(limited.creds);
    const submit = (n) => c.call('SubmitLiveTranscodeJob', { Name: n, TemplateId: '00000000000000000000000000000360', StartMode: '1',
      StreamInput: input(n), TranscodeOutput: liveCenter(), TimedConfig: JSON.stringify({ StartTime: utc(Date.now() + 3600e3) }) });
    const first = (await submit('s1')).JobId;
    await c.call('SendLiveTranscodeJobCommand', { JobId: first, Command: 'stop' });
    await submit('s2');
    const e = await expectError(submit('s3'), 'QuotaExceeded.StoredJobs', 403);
    assert.match(e.message, /at most 2/);
    await c.call('DeleteLiveTranscodeJob', { JobId: first });
    await submit('s3');
  } finally {
    await limited.stop();
  }
});

test('submit → output plays with the template → TemplateIdInuse → stop within 2 s → output gone', { timeout: 120000 }, async (t) => {
  const tpl = await createTemplate('e2e');
  // The input is not live yet: the job keeps trying and says so.
  const { JobId: id } = await sdk.call('SubmitLiveTranscodeJob', {
    Name: 'e2e', TemplateId: tpl, StartMode: '0', StreamInput: input('e2e'), TranscodeOutput: liveCenter(),
  });
  // The event is stored just after the state changes: wait for both.
  let job = await until('waiting for input, said in an event', async () => {
    const j = await get(sdk, id);
    return j.Process && j.Process.State === 'waiting-input' && j.Events.some((e) => e.Event === 'input_waiting') && j;
  });
  assert.equal(job.Status, 1);
  const pub = publish(nginx.url('e2e'), { seconds: 120, size: '1280x720', rate: 30 });
  try {
    job = await until('running', async () => {
      const j = await get(sdk, id);
      return j.Process && j.Process.State === 'running' && j;
    }, 25000);
    const outUrl = job.OutputStream.StreamInfos[0].OutputUrl;
    assert.equal(outUrl, `rtmp://127.0.0.1:${nginx.port}/live/e2e_${tpl}`);
    const s = summarize(await probe(outUrl, { seconds: 6 }));
    assert.equal(s.video.codec, 'h264');
    assert.equal(s.video.profile, 'Main');
    assert.equal(s.video.width, 640);
    assert.equal(s.video.height, 360);
    assert.equal(s.video.fps, '25/1');
    assert.equal(s.audio.codec, 'aac');
    assert.equal(s.audio.sampleRate, 44100);
    assert.equal(s.audio.channels, 1);
    job = await get(v3, id);
    assert.equal(job.Status, 1);
    assert.equal(job.Process.Pid, undefined); // the process id is for operators, not tenants
    assert.ok(job.Process.Stats && job.Process.Stats.outputs, JSON.stringify(job.Process));
    assert.ok(job.Events.some((e) => e.Event === 'started'), JSON.stringify(job.Events));

    await expectError(sdk.call('UpdateLiveTranscodeTemplate', { TemplateId: tpl, TemplateConfig: JSON.stringify({ VideoParams: { Bitrate: '800' } }) }),
      'InvalidParam.TemplateIdInuse', 400);

    // A crashed job process is restarted, and the failure is in the event log.
    process.kill(runJobPid(id), 'SIGKILL');
    job = await until('restarted', async () => {
      const j = await get(sdk, id);
      return j.Process && j.Process.Restarts === 1 && j.Process.State === 'running' && j;
    }, 20000);
    const failed = job.Events.find((e) => e.Event === 'failed');
    assert.match(failed.Detail, /signal 9/);

    const t0 = Date.now();
    await sdk.call('SendLiveTranscodeJobCommand', { JobId: id, Command: 'stop' });
    const stopMs = Date.now() - t0;
    assert.ok(stopMs <= 2500, `stop took ${stopMs} ms`);
    assert.equal(runJobCount(id), 0);
    job = await get(sdk, id);
    assert.equal(job.Status, 2);
    assert.equal(job.Process, undefined);
    await expectNoStream(outUrl);
    t.diagnostic(`stop command answered after ${stopMs} ms with the job process gone`);

    await sdk.call('UpdateLiveTranscodeTemplate', { TemplateId: tpl, TemplateConfig: JSON.stringify({ VideoParams: { Bitrate: '800' } }) });
    await sdk.call('DeleteLiveTranscodeJob', { JobId: id });
    await sdk.call('DeleteLiveTranscodeTemplate', { TemplateId: tpl });
  } finally {
    pub.stop();
  }
});

test('a timed job starts and stops within 1 s of StartTime and EndTime', { timeout: 60000 }, async (t) => {
  const pub = publish(nginx.url('timed'), { seconds: 40, size: '640x360', rate: 25 });
  try {
    const start = Math.ceil(Date.now() / 1000) * 1000 + 4000;
    const end = start + 8000;
    const { JobId: id } = await sdk.call('SubmitLiveTranscodeJob', {
      Name: 'on-time', TemplateId: '00000000000000000000000000000360', StartMode: '1', StreamInput: input('timed'),
      TranscodeOutput: liveCenter(), TimedConfig: JSON.stringify({ StartTime: utc(start), EndTime: utc(end) }),
    });
    let started = 0;
    let ended = 0;
    let played = false;
    while (!ended && Date.now() < end + 5000) {
      const asked = Date.now();
      const job = await get(sdk, id);
      // The answer reflects the job at some moment between asking and answering.
      if (job.Status === 0) assert.ok(asked <= start + 1000, `not started ${asked - start} ms after StartTime`);
      if (job.Status === 1) assert.ok(asked <= end + 1000, `not stopped ${asked - end} ms after EndTime`);
      if (job.Status === 1 && !started) started = Date.now();
      if (job.Status === 1 && job.Process && job.Process.State === 'running') played = true;
      if (job.Status === 2) ended = Date.now();
      await sleep(50);
    }
    assert.ok(started, 'never started');
    assert.ok(ended, 'never stopped');
    assert.ok(started - start <= 1000, `started ${started - start} ms after StartTime`);
    assert.ok(ended - end <= 1000, `stopped ${ended - end} ms after EndTime`);
    assert.ok(played, 'the job process never ran');
    await until('process gone', async () => runJobCount(id) === 0, 3000);
    t.diagnostic(`status 1 seen ${started - start} ms after StartTime, status 2 ${ended - end} ms after EndTime`);
  } finally {
    pub.stop();
  }
});

test('SIGKILL of the server with two jobs running: both resume after restart, none twice', { timeout: 120000 }, async () => {
  const pub = publish(nginx.url('crash'), { seconds: 90, size: '640x360', rate: 25 });
  let restarted;
  try {
    await sleep(1000);
    const ids = [];
    for (const tplId of ['00000000000000000000000000000360', '00000000000000000000000000000540']) {
      ids.push((await sdk.call('SubmitLiveTranscodeJob', {
        Name: `crash-${tplId}`, TemplateId: tplId, StartMode: '0', StreamInput: input('crash'), TranscodeOutput: liveCenter(),
      })).JobId);
    }
    for (const id of ids) {
      await until(`job ${id} running`, async () => {
        const j = await get(sdk, id);
        return j.Process && j.Process.State === 'running';
      }, 25000);
    }
    assert.equal(await server.stop('SIGKILL'), 'SIGKILL');
    restarted = await startServer({ dataDir: server.dataDir, args: ['--live-center', `${DOMAIN}=rtmp://127.0.0.1:${nginx.port}`] });
    const client = v1Client(restarted.creds);
    for (const id of ids) {
      const j = await until(`job ${id} running again`, async () => {
        const job = (await client.call('GetLiveTranscodeJob', { JobId: id })).Job;
        return job.Process && job.Process.State === 'running' && job;
      }, 30000);
      assert.equal(j.Status, 1);
      // Both jobs are on one input: one process runs both, and no older one runs either (the
      // old one, which let its locks go last, may take a moment more to be gone).
      await until(`one process for ${id}`, () => serverProcessCount(restarted) === 1, 3000, 50);
      const s = summarize(await probe(j.OutputStream.StreamInfos[0].OutputUrl, { seconds: 3 }));
      assert.equal(s.video.codec, 'h264');
    }
    // The per-job lock is what keeps a job from running twice: a second run-job of the same job
    // (as a restarted server would start while the old process lives on) waits for it.
    // It is told what to run as the supervisor tells it (src/runtime/protocol.h), and says it waits.
    const start = JSON.stringify({ command: 'start', input: { type: 'rtmp', url: nginx.url('crash') },
      renditions: [{ job_id: ids[0], type: 'normal', output_url: nginx.url('crash-second'),
        template_config: JSON.stringify({ VideoParams: { Height: '360', Fps: '25', Bitrate: '500' } }) }] });
    const second = spawn(FLOE_BIN, ['run-job', '--group', 'second', '--lock-dir', path.join(server.dataDir, 'run'),
      '--allow-net', '127.0.0.0/8'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let secondLog = '';
    let secondReports = '';
    second.stderr.on('data', (c) => (secondLog += c));
    second.stdout.on('data', (c) => (secondReports += c));
    second.stdin.write(start + '\n'); // kept open: its end would stop the process
    await until('the second run-job to wait for the lock', () => /event=job_lock_wait/.test(secondLog), 10000);
    const waits = secondReports.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(waits[0], { report: 'event', job_id: ids[0], event: 'job_lock_wait', detail: 'another process runs this job' });
    await sleep(2000);
    assert.doesNotMatch(secondLog, /event=pipeline_started/);
    assert.doesNotMatch(secondReports, /"started"/);
    const gone = new Promise((r) => second.on('exit', (code, sig) => r(code ?? sig)));
    second.kill('SIGTERM');
    assert.equal(await gone, 0); // a waiting run-job stops cleanly
    for (const id of ids) await client.call('DeleteLiveTranscodeJob', { JobId: id });
    assert.equal(serverProcessCount(restarted), 0);
  } finally {
    pub.stop();
    if (restarted) server = restarted;
  }
});

// `floe ice`, the command-line client, driven in every form a user has: --help and
// <Action> --help, a profile written by `floe ice configure` (from options, from prompts, from
// Floe's credentials file), the environment variables, JSON objects as parameters, the JSON
// answer on standard output, and the exit codes: 1 with the API's error code, 2 for a usage
// error, 3 when the server cannot be reached. Its V3 signatures are checked by the real server.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync, execFileSync } = require('node:child_process');
const { startServer, FLOE_BIN } = require('./lib/server');
const { v1Client } = require('./lib/clients');
const { admin } = require('./lib/admin');
const { until } = require('./lib/until');

let server;
let endpoint;
test.before(async () => {
  server = await startServer();
  endpoint = `http://127.0.0.1:${server.port}`;
});
test.after(async () => {
  if (server) await server.stop();
});

// A HOME of its own per test, so that profiles never leak between tests (or from the machine).
function freshHome() {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'floe-cli-home-'));
}

// Runs `floe ice ARGS` with only the environment given (plus PATH).
function ice(args, { home, env = {}, input } = {}) {
  const r = spawnSync(FLOE_BIN, ['ice', ...args], {
    encoding: 'utf8',
    input,
    timeout: 30000,
    env: { PATH: process.env.PATH, HOME: home || freshHome(), ...env },
  });
  let json;
  try {
    json = JSON.parse(r.stdout);
  } catch {
    /* not JSON */
  }
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, json };
}

const keyEnv = () => ({
  ALIBABA_CLOUD_ACCESS_KEY_ID: server.creds.accessKeyId,
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: server.creds.accessKeySecret,
  FLOE_ENDPOINT: endpoint,
});

const ACTIONS = ['CreateLiveTranscodeTemplate', 'GetLiveTranscodeTemplate', 'ListLiveTranscodeTemplates',
  'UpdateLiveTranscodeTemplate', 'DeleteLiveTranscodeTemplate', 'SubmitLiveTranscodeJob', 'GetLiveTranscodeJob',
  'ListLiveTranscodeJobs', 'UpdateLiveTranscodeJob', 'SendLiveTranscodeJobCommand', 'DeleteLiveTranscodeJob'];

test('--help lists every action and <Action> --help its parameters', () => {
  const all = ice(['--help']);
  assert.equal(all.status, 0, all.stderr);
  for (const a of ACTIONS) assert.match(all.stdout, new RegExp(`^  ${a} `, 'm'));
  assert.match(all.stdout, /floe ice configure/);
  const none = ice([]);
  assert.equal(none.status, 2);
  const one = ice(['SubmitLiveTranscodeJob', '--help']);
  assert.equal(one.status, 0, one.stderr);
  for (const p of ['Name', 'TemplateId', 'StartMode', 'StreamInput', 'TranscodeOutput']) {
    assert.match(one.stdout, new RegExp(`--${p} .*required`));
  }
  assert.match(one.stdout, /--TimedConfig +Object \(JSON\)\n/);
});

test('configure writes a 0600 profile that later calls use; prompts ask for what is not given', () => {
  const home = freshHome();
  const c = ice(['configure', '--access-key-id', server.creds.accessKeyId, '--access-key-secret',
    server.creds.accessKeySecret, '--endpoint', endpoint], { home });
  assert.equal(c.status, 0, c.stderr);
  const file = path.join(home, '.floe', 'config.json');
  assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  const config = JSON.parse(fs.readFileSync(file, 'utf8'));
  assert.equal(config.current, 'default');
  assert.equal(config.profiles[0].access_key_id, server.creds.accessKeyId);

  const list = ice(['ListLiveTranscodeTemplates', '--PageSize', '2', '--Category=system'], { home });
  assert.equal(list.status, 0, list.stderr);
  assert.match(list.json.RequestId, /^[0-9A-F-]{36}$/);
  assert.equal(list.json.TemplateContentList.length, 2);
  assert.ok(list.json.TotalCount >= 5);
  assert.ok(list.stdout.indexOf('"RequestId"') < list.stdout.indexOf('"TotalCount"'), 'the server\'s key order');

  // A second profile from answers on standard input; the first stays.
  const key = admin(server.dataDir, 'key', 'create', '--account', admin(server.dataDir, 'account', 'show-root').AccountId);
  const p = ice(['configure', '--profile', 'second'], { home, input: `${key.AccessKeyId}\n${key.AccessKeySecret}\n${endpoint}\n` });
  assert.equal(p.status, 0, p.stderr);
  assert.match(p.stderr, /Access Key Id.*Access Key Secret.*Endpoint/s);
  const got = ice(['--profile', 'second', 'ListLiveTranscodeJobs'], { home });
  assert.equal(got.status, 0, got.stderr);
  assert.equal(got.json.TotalCount, 0);
  assert.equal(JSON.parse(fs.readFileSync(file, 'utf8')).profiles.length, 2);
  const missing = ice(['--profile', 'third', 'ListLiveTranscodeJobs'], { home });
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /no profile "third"/);

  // From Floe's own credentials file.
  const home2 = freshHome();
  const f = ice(['configure', '--credentials-file', path.join(server.dataDir, 'credentials.json'), '--endpoint', endpoint], { home: home2 });
  assert.equal(f.status, 0, f.stderr);
  assert.equal(ice(['ListLiveTranscodeJobs'], { home: home2 }).status, 0);
});

test('the environment variables stand in for a profile; a wrong secret fails with the API\'s code', () => {
  const ok = ice(['ListLiveTranscodeTemplates', '--PageSize', '1'], { env: keyEnv() });
  assert.equal(ok.status, 0, ok.stderr);
  const bad = ice(['ListLiveTranscodeTemplates'], { env: { ...keyEnv(), ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'wrong' } });
  assert.equal(bad.status, 1);
  assert.equal(bad.json.Code, 'SignatureDoesNotMatch');
  assert.match(bad.stderr, /ERROR SignatureDoesNotMatch/);
  const none = ice(['ListLiveTranscodeJobs'], { env: { FLOE_ENDPOINT: endpoint } });
  assert.equal(none.status, 2);
  assert.match(none.stderr, /No credentials/);
});

test('object parameters are JSON; a template and a job go through their whole life from the CLI', () => {
  const env = keyEnv();
  const config = `{
    "VideoParams": {"Codec": "H.264", "Height": "360", "Fps": "25", "Bitrate": "600", "Gop": "50"},
    "AudioParams": {"Codec": "AAC", "Bitrate": "64", "Samplerate": "44100", "Channels": "2"}
  }`;
  const created = ice(['CreateLiveTranscodeTemplate', '--Name', 'cli-360p', '--Type', 'normal', '--TemplateConfig', config], { env });
  assert.equal(created.status, 0, created.stderr);
  const TemplateId = created.json.TemplateId;
  const sdk = v1Client(server.creds);
  return (async () => {
    const seen = (await sdk.call('GetLiveTranscodeTemplate', { TemplateId })).TemplateContent;
    assert.equal(seen.TemplateConfig.VideoParams.Height, '360');
    const renamed = ice(['UpdateLiveTranscodeTemplate', `--TemplateId=${TemplateId}`, '--Name=cli-renamed'], { env });
    assert.equal(renamed.status, 0, renamed.stderr);
    assert.equal(ice(['GetLiveTranscodeTemplate', '--TemplateId', TemplateId], { env }).json.TemplateContent.Name, 'cli-renamed');

    // Nothing listens on this input: the job is submitted and waits for it.
    const sub = ice(['SubmitLiveTranscodeJob', '--Name', 'cli-job', '--TemplateId', TemplateId, '--StartMode', '0',
      '--StreamInput', '{"Type": "rtmp", "InputUrl": "rtmp://127.0.0.1:9/live/none"}',
      '--TranscodeOutput', '{"Type": "rtmp", "OutputUrl": "rtmp://127.0.0.1:9/live/out"}'], { env });
    assert.equal(sub.status, 0, sub.stderr);
    const JobId = sub.json.JobId;
    const job = ice(['GetLiveTranscodeJob', '--JobId', JobId], { env });
    assert.equal(job.json.Job.Status, 1);
    assert.equal(job.json.Job.StreamInput.InputUrl, 'rtmp://127.0.0.1:9/live/none');
    const inUse = ice(['DeleteLiveTranscodeTemplate', '--TemplateId', TemplateId], { env });
    assert.equal(inUse.status, 1);
    assert.match(inUse.stderr, /^floe ice: ERROR [A-Za-z.]+: /m);
    assert.equal(ice(['SendLiveTranscodeJobCommand', '--JobId', JobId, '--Command', 'stop'], { env }).status, 0);
    assert.equal(ice(['ListLiveTranscodeJobs', '--Status', '2'], { env }).json.TotalCount, 1);
    assert.equal(ice(['DeleteLiveTranscodeJob', '--JobId', JobId], { env }).status, 0);
    assert.equal(ice(['DeleteLiveTranscodeTemplate', '--TemplateId', TemplateId], { env }).status, 0);
    const gone = ice(['GetLiveTranscodeTemplate', '--TemplateId', TemplateId], { env });
    assert.equal(gone.status, 1);
    assert.equal(gone.json.Code, 'ResourceNotFound');
  })();
});

test('recording and snapshot templates from the CLI: RecordFormat is a JSON array', () => {
  const env = keyEnv();
  const rec = ice(['CreateLiveRecordTemplate', '--Name', 'cli-rec', '--RecordFormat',
    '[{"Format": "m3u8", "SliceOssObjectPrefix": "r/{JobId}/{UnixTimestamp}_{Sequence}"}, {"Format": "mp4"}]'], { env });
  assert.equal(rec.status, 0, rec.stderr);
  const got = ice(['GetLiveRecordTemplate', '--TemplateId', rec.json.TemplateId], { env });
  assert.deepEqual(got.json.RecordTemplate.RecordFormatList.map((f) => f.Format), ['m3u8', 'mp4']);
  const notArray = ice(['CreateLiveRecordTemplate', '--Name', 'x', '--RecordFormat', '{"Format": "flv"}'], { env });
  assert.equal(notArray.status, 2);
  assert.match(notArray.stderr, /--RecordFormat must be a JSON array/);
  const shot = ice(['CreateLiveSnapshotTemplate', '--TemplateName', 'cli-shot', '--TimeInterval', '30',
    '--SequenceFormat', 'shots/{JobId}/{Sequence}.jpg'], { env });
  assert.equal(shot.status, 0, shot.stderr);
  assert.equal(ice(['GetLiveSnapshotTemplate', '--TemplateId', shot.json.TemplateId], { env }).json.TimeInterval, 30);
  assert.equal(ice(['DeleteLiveSnapshotTemplate', '--TemplateId', shot.json.TemplateId], { env }).status, 0);
  assert.equal(ice(['DeleteLiveRecordTemplate', '--TemplateId', rec.json.TemplateId], { env }).status, 0);
});

test('the API\'s validation message comes back with exit code 1; usage errors exit 2; no server exits 3', () => {
  const env = keyEnv();
  const bad = ice(['CreateLiveTranscodeTemplate', '--Name', 'h100', '--Type', 'normal', '--TemplateConfig',
    '{"VideoParams": {"Codec": "H.264", "Height": "100", "Fps": "25", "Bitrate": "600"}}'], { env });
  assert.equal(bad.status, 1);
  assert.equal(bad.json.Code, 'InvalidParam.VideoParams.Height');
  assert.match(bad.stderr, /ERROR InvalidParam\.VideoParams\.Height: .*128/);

  const usage = [
    [['GetLiveTranscodeJob', '--JobId', 'x', '--Bogus', '1'], /has no parameter --Bogus/],
    [['SubmitLiveTranscodeJob', '--StreamInput', '{not json'], /--StreamInput must be a JSON object/],
    [['GetLiveTranscodeJobz'], /there is no action "GetLiveTranscodeJobz"/],
    [['GetLiveTranscodeJob', '--JobId'], /--JobId needs a value/],
    [['GetLiveTranscodeJob', 'JobId', 'x'], /expected --Name VALUE/],
  ];
  for (const [args, re] of usage) {
    const r = ice(args, { env });
    assert.equal(r.status, 2, args.join(' '));
    assert.match(r.stderr, re);
  }
  const https = ice(['ListLiveTranscodeJobs'], { env: { ...env, FLOE_ENDPOINT: 'https://127.0.0.1:1' } });
  assert.equal(https.status, 2);
  assert.match(https.stderr, /plain http/);
  const down = ice(['ListLiveTranscodeJobs'], { env: { ...env, FLOE_ENDPOINT: 'http://127.0.0.1:1' } });
  assert.equal(down.status, 3);
  assert.match(down.stderr, /SDK\.ServerUnreachable/);
});

test('configure writes through no tmp file or symlink already there', () => {
  const home = freshHome();
  const dir = path.join(home, '.floe');
  fs.mkdirSync(dir, { mode: 0o700 });
  // Another user's file that a symlink at the tmp name points at: it must not get the key.
  const elsewhere = path.join(home, 'elsewhere');
  fs.writeFileSync(elsewhere, 'theirs', { mode: 0o644 });
  fs.symlinkSync(elsewhere, path.join(dir, 'config.json.tmp'));
  const c = ice(['configure', '--access-key-id', 'LTAIsym', '--access-key-secret', 'SymSecret1', '--endpoint', endpoint], { home });
  assert.equal(c.status, 0, c.stderr);
  assert.equal(fs.readFileSync(elsewhere, 'utf8'), 'theirs');
  const file = path.join(dir, 'config.json');
  assert.ok(fs.lstatSync(file).isFile());
  assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  assert.match(fs.readFileSync(file, 'utf8'), /SymSecret1/);
  // An old, readable tmp file lends the profile neither its mode nor its inode.
  fs.writeFileSync(path.join(dir, 'config.json.tmp'), 'old', { mode: 0o644 });
  fs.chmodSync(path.join(dir, 'config.json.tmp'), 0o644);
  const again = ice(['configure', '--access-key-id', 'LTAIsym', '--access-key-secret', 'SymSecret2', '--endpoint', endpoint], { home });
  assert.equal(again.status, 0, again.stderr);
  assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  assert.equal(fs.existsSync(path.join(dir, 'config.json.tmp')), false);
});

test('usage errors and store errors never print a secret', () => {
  // `floe ice`: a secret given without its option name.
  const home = freshHome();
  const ice1 = ice(['configure', '--access-key-id', 'LTAIx', 'IceSecretValue1'], { home });
  assert.equal(ice1.status, 2);
  assert.match(ice1.stderr, /expected --Name VALUE/);
  assert.doesNotMatch(ice1.stderr + ice1.stdout, /IceSecretValue1/);
  const ice2 = ice(['IceSecretValue2x9', 'ListLiveTranscodeJobs'], { env: keyEnv() });
  assert.equal(ice2.status, 2);
  assert.doesNotMatch(ice2.stderr + ice2.stdout, /IceSecretValue2x9/);

  // The floe commands (CLI11): an extra argument, a value given to the wrong option.
  const floe = (args, env = {}) => spawnSync(FLOE_BIN, args, { encoding: 'utf8', timeout: 15000, env: { PATH: process.env.PATH, ...env } });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'floe-cli-secret-'));
  for (const args of [
    ['serve', '--data-dir', dataDir, 'CliSecretValue3'],
    ['serve', '--data-dir', dataDir, '--io-threads=CliSecretValue3'],
    ['--store', 'postgres://u:CliSecretValue3@127.0.0.1/db', 'serve'],
    ['admin', '--data-dir', dataDir, 'account', 'show-root', 'CliSecretValue3'],
  ]) {
    const r = floe(args);
    assert.notEqual(r.status, 0, args.join(' '));
    assert.ok(r.stderr.length > 0, args.join(' '));
    assert.doesNotMatch(r.stderr + r.stdout, /CliSecretValue3/, args.join(' '));
  }

  // A malformed --store URL: libpq's message quotes it (or its bad part), never shown as it is.
  for (const store of ['postgres://u:StoreSecret4@[::1/db', 'postgres://u:StoreSecret4%zz@127.0.0.1:1/db',
    'postgres://u@127.0.0.1:1/db?password=StoreSecret4&bogus=1']) {
    const r = floe(['serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir, '--store', store]);
    assert.notEqual(r.status, 0, store);
    assert.match(r.stderr, /PostgreSQL/, store);
    assert.doesNotMatch(r.stderr + r.stdout, /StoreSecret4/, store);
  }
});

test('a run-job child gets a small environment of its own, not the server\'s secrets', async () => {
  const saved = process.env.PGPASSWORD;
  process.env.PGPASSWORD = 'PgSecretInEnv5';
  let srv;
  try {
    srv = await startServer();
  } finally {
    if (saved === undefined) delete process.env.PGPASSWORD;
    else process.env.PGPASSWORD = saved;
  }
  try {
    const environ = (pid) => fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    assert.ok(environ(srv.proc.pid).includes('PGPASSWORD=PgSecretInEnv5'), 'the server has it');
    const env = { ALIBABA_CLOUD_ACCESS_KEY_ID: srv.creds.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: srv.creds.accessKeySecret, FLOE_ENDPOINT: `http://127.0.0.1:${srv.port}` };
    const tpl = ice(['CreateLiveTranscodeTemplate', '--Name', 'env-360p', '--Type', 'normal', '--TemplateConfig',
      '{"VideoParams": {"Codec": "H.264", "Height": "360", "Fps": "25", "Bitrate": "600", "Gop": "50"}}'], { env });
    assert.equal(tpl.status, 0, tpl.stderr);
    // Nothing listens on this input: the job's process starts and waits for it.
    const sub = ice(['SubmitLiveTranscodeJob', '--Name', 'env-job', '--TemplateId', tpl.json.TemplateId, '--StartMode', '0',
      '--StreamInput', '{"Type": "rtmp", "InputUrl": "rtmp://127.0.0.1:9/live/none"}',
      '--TranscodeOutput', '{"Type": "rtmp", "OutputUrl": "rtmp://127.0.0.1:9/live/out"}'], { env });
    assert.equal(sub.status, 0, sub.stderr);
    const pid = await until('the job\'s run-job process', () => {
      try {
        return Number(execFileSync('pgrep', ['-f', `run-job --group ${sub.json.JobId} `], { encoding: 'utf8' }).trim().split('\n')[0]);
      } catch {
        return 0;
      }
    }, 10000);
    // Names only in the messages: a failure must not print the values it found.
    const names = environ(pid).map((e) => e.split('=')[0]);
    assert.ok(!names.includes('PGPASSWORD'), names.join(' '));
    assert.ok(names.includes('PATH'), names.join(' '));
    assert.ok(!names.includes('HOME'), names.join(' '));
  } finally {
    await srv.stop();
  }
});

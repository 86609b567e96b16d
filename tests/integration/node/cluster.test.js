// Several nodes on one PostgreSQL store (a private server started here): what one node writes
// every other serves, nonces hold across nodes, `floe admin --store` works on the shared store,
// a job submitted on an API-only node (--no-jobs) runs on the node that runs jobs (under its
// lease: the job names that node), and a worker needs a PostgreSQL store.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { until } = require('./lib/until');
const { startServer, FLOE_BIN } = require('./lib/server');
const { v1Client, v3Client } = require('./lib/clients');
const { startPostgres } = require('./lib/postgres');
const { startNginx, publish, probe } = require('./lib/media');
const { signV1, send } = require('./lib/raw');

let pg;
let nginx;
let url;
const nodes = [];
test.before(async () => {
  pg = await startPostgres();
  nginx = await startNginx();
  url = pg.createDatabase();
});
test.after(async () => {
  for (const n of nodes) await n.stop();
  if (nginx) await nginx.stop();
  if (pg) await pg.stop();
});

// Every node of a cluster gets the same master.key (it seals the AccessKey secrets).
function nodeDir(first) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'floe-node-'));
  if (first) fs.copyFileSync(path.join(first.dataDir, 'master.key'), path.join(dir, 'master.key'));
  return dir;
}

test('two nodes on one PostgreSQL store serve the same data, and nonces hold across them', async () => {
  const a = await startServer({ args: ['--store', url, '--node-id', 'node-a'] });
  nodes.push(a);
  assert.match(a.log(), /event=listening .* store=postgres jobs=on/);
  assert.match(a.stdout(), /store: +PostgreSQL, postgres:\/\/postgres@127\.0\.0\.1/);
  const b = await startServer({ dataDir: nodeDir(a), args: ['--store', url, '--no-jobs'] });
  nodes.push(b);
  assert.match(b.log(), /jobs=off/);
  assert.ok(!fs.existsSync(path.join(b.dataDir, 'credentials.json')), 'the root account exists already');

  const onA = v1Client(a.creds);
  const onB = v3Client({ ...a.creds, port: b.port });
  const { TemplateId } = await onA.call('CreateLiveTranscodeTemplate', {
    Name: 'shared', Type: 'normal',
    TemplateConfig: JSON.stringify({ VideoParams: { Codec: 'H.264', Height: '240', Fps: '25', Bitrate: '300' } }),
  });
  const seen = await onB.call('GetLiveTranscodeTemplate', { TemplateId });
  assert.equal(seen.TemplateContent.Name, 'shared');
  assert.equal((await onB.call('ListLiveTranscodeTemplates', { Category: 'system' })).TotalCount, 5);

  // One signed request, sent to A and then replayed to B.
  const q = signV1(a.creds, { Action: 'GetLiveTranscodeTemplate', TemplateId });
  assert.equal((await send(a.port, { path: `/?${q}` })).status, 200);
  const replay = await send(b.port, { path: `/?${q}` });
  assert.deepEqual([replay.status, replay.body.Code], [400, 'SignatureNonceUsed']);

  // floe admin on the shared store, from a third directory with the same master key.
  const adminDir = nodeDir(a);
  const r = spawnSync(FLOE_BIN, ['admin', '--data-dir', adminDir, '--store', url, 'account', 'show-root'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).AccountId, JSON.parse(fs.readFileSync(path.join(a.dataDir, 'credentials.json'))).AccountId);
});

test('a job submitted on the API-only node runs on the node that runs jobs', { timeout: 90000 }, async () => {
  const [a, b] = nodes;
  const src = nginx.url('cluster-src');
  const pub = publish(src, { seconds: 40, size: '426x240', rate: 25 });
  try {
    await new Promise((r) => setTimeout(r, 1000));
    const onB = v1Client({ ...a.creds, port: b.port });
    const { JobId } = await onB.call('SubmitLiveTranscodeJob', {
      Name: 'cluster-job', TemplateId: '00000000000000000000000000000360', StartMode: '0',
      StreamInput: JSON.stringify({ Type: 'rtmp', InputUrl: src }),
      TranscodeOutput: JSON.stringify({ Type: 'rtmp', OutputUrl: nginx.url('cluster-out') }),
    });
    const onA = v1Client(a.creds);
    await until('the job running on A', async () => {
      const j = (await onA.call('GetLiveTranscodeJob', { JobId })).Job;
      return j.Process && j.Process.State === 'running';
    }, 30000);
    const onNode = (await onB.call('GetLiveTranscodeJob', { JobId })).Job;
    assert.equal(onNode.Node, 'node-a');
    assert.equal(onNode.Status, 1);
    const events = (await onA.call('GetLiveTranscodeJob', { JobId })).Job.Events.map((e) => `${e.Event}:${e.Detail || ''}`);
    assert.ok(events.includes('assigned:node node-a'), events.join(', '));
    const p = await probe(nginx.url('cluster-out'), { seconds: 3 });
    assert.ok(p.streams.some((s) => s.codec_type === 'video' && s.height === 360), JSON.stringify(p.streams));
    await onB.call('SendLiveTranscodeJobCommand', { JobId, Command: 'stop' });
    await until('the job stopped on A', async () => !(await onA.call('GetLiveTranscodeJob', { JobId })).Job.Process, 15000);
  } finally {
    pub.stop();
  }
});

test('a worker needs a PostgreSQL store', async () => {
  const r = spawnSync(FLOE_BIN, ['worker', '--listen', '127.0.0.1:0', '--data-dir', nodeDir(nodes[0]), '--store', 'var/floe.db'],
    { encoding: 'utf8', timeout: 20000 });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /a worker needs --store postgres:/);
});

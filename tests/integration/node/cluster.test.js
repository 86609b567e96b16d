// Several nodes on one PostgreSQL store (a private server started here): what one node writes
// every other serves, nonces and rate limits hold across nodes, `floe admin --store` works on the shared store,
// a job submitted on an API-only node (--no-jobs) runs on the node that runs jobs (under its
// lease: the job names that node), a worker admits only what fits its capacity (the rest waits
// for room), jobs spread over equal workers (2/2/2), and a worker needs a PostgreSQL store.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { until } = require('./lib/until');
const { startServer, startWorker, FLOE_BIN } = require('./lib/server');
const { v1Client, v3Client, errorOf } = require('./lib/clients');
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

// A node's /healthz, parsed.
function health(node) {
  return new Promise((resolve, reject) => {
    require('node:http').get({ host: '127.0.0.1', port: node.port, path: '/healthz' }, (res) => {
      let b = '';
      res.on('data', (c) => (b += c));
      res.on('end', () => resolve(JSON.parse(b)));
    }).on('error', reject);
  });
}

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

// Each node keeps the keys, accounts and policies it read; a key disabled on one node (here by
// floe admin on the shared store) is refused by every other within a second (LISTEN/NOTIFY).
test('a key disabled on one node is refused by another within a second', async () => {
  const [a, b] = nodes;
  const adminDir = nodeDir(a);
  const run = (...args) => {
    const r = spawnSync(FLOE_BIN, ['admin', '--data-dir', adminDir, '--store', url, ...args], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout);
  };
  const account = JSON.parse(fs.readFileSync(path.join(a.dataDir, 'credentials.json'))).AccountId;
  const key = run('key', 'create', '--account', account);
  const onB = v1Client({ port: b.port, accessKeyId: key.AccessKeyId, accessKeySecret: key.AccessKeySecret });
  const list = () => onB.call('ListLiveTranscodeTemplates', { Category: 'system' });
  for (let i = 0; i < 3; i++) assert.equal((await list()).TotalCount, 5);  // read, then cached
  run('key', 'disable', '--key', key.AccessKeyId);
  const disabledAt = Date.now();
  let refusedAfter = null;
  while (Date.now() - disabledAt < 5000) {
    try {
      await list();
    } catch (e) {
      assert.equal(errorOf(e).code, 'InvalidAccessKeyId.Inactive');
      refusedAfter = Date.now() - disabledAt;
      break;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  console.log(`a key disabled by floe admin was refused by another node after ${refusedAfter} ms`);
  assert.ok(refusedAfter !== null && refusedAfter <= 1000, `refused after ${refusedAfter} ms`);
});

test('an AccessKey\'s rate limit holds for the nodes together, not for each', async () => {
  const [a] = nodes;
  const limits = ['--store', url, '--no-jobs', '--rate-limit', '2', '--rate-burst', '10'];
  const c = await startServer({ dataDir: nodeDir(a), args: limits });
  nodes.push(c);
  const d = await startServer({ dataDir: nodeDir(a), args: limits });
  nodes.push(d);
  const calls = async (node, n) => {
    const sdk = v1Client({ ...a.creds, port: node.port });
    const codes = [];
    for (let i = 0; i < n; i++) {
      try {
        await sdk.call('ListLiveTranscodeTemplates', { Category: 'system' });
        codes.push('OK');
      } catch (e) {
        codes.push(errorOf(e).code);
      }
    }
    return codes;
  };
  assert.deepEqual(await calls(c, 10), Array(10).fill('OK')); // the burst, spent on c
  await new Promise((r) => setTimeout(r, 800)); // c and d exchange counts every 250 ms
  const onD = await calls(d, 10);
  const throttled = onD.filter((x) => x === 'Throttling.User').length;
  // Alone, d would admit its own burst of 10; knowing c's, it admits what refilled (2/s).
  assert.ok(throttled >= 6, onD.join(' '));
  assert.ok(onD.every((x) => x === 'OK' || x === 'Throttling.User'), onD.join(' '));
  await c.stop();
  await d.stop();
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

test('a worker with room for two jobs runs two of three; the third waits, then starts when one stops', { timeout: 90000 }, async () => {
  const store = pg.createDatabase();
  const api = await startServer({ args: ['--store', store, '--no-jobs', '--node-id', 'api'] });
  nodes.push(api);
  // The 360p system template costs 0.10 + 640×360×30/79e6 ≈ 0.19 cores (src/runtime/cost.h).
  const worker = await startWorker({ store, nodeId: 'small', args: ['--capacity', '0.4'] });
  nodes.push(worker);
  assert.match(worker.stdout(), /capacity: 0\.40 cores/);
  const src = nginx.url('admission-src');
  const pub = publish(src, { seconds: 60, size: '426x240', rate: 25 });
  try {
    await new Promise((r) => setTimeout(r, 1000));
    const sdk = v1Client(api.creds);
    const submit = async (i) => (await sdk.call('SubmitLiveTranscodeJob', {
      Name: `admission-${i}`, TemplateId: '00000000000000000000000000000360', StartMode: '0',
      StreamInput: JSON.stringify({ Type: 'rtmp', InputUrl: src }),
      TranscodeOutput: JSON.stringify({ Type: 'rtmp', OutputUrl: nginx.url(`admission-out-${i}`) }),
    })).JobId;
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push(await submit(i));
    const job = async (id) => (await sdk.call('GetLiveTranscodeJob', { JobId: id })).Job;
    const events = (j) => j.Events.map((e) => `${e.Event}:${e.Detail || ''}`);
    await until('two jobs on the worker and one waiting', async () => {
      const js = await Promise.all(ids.map(job));
      return js.filter((j) => j.Node === 'small' && j.Status === 1).length === 2 &&
        js.filter((j) => !j.Node && j.Status === 0 && events(j).some((e) => e.startsWith('waiting_for_capacity:'))).length === 1;
    }, 30000);
    const js = await Promise.all(ids.map(job));
    const waiting = js.find((j) => j.Status === 0);
    assert.ok(events(waiting).some((e) => /^waiting_for_capacity:needs 0\.19 cores; no node has room \(node small: 0\.0\d of 0\.40 free\)$/.test(e)),
      events(waiting).join(', '));
    const running = js.filter((j) => j.Status === 1);
    for (const j of running) {
      const p = await probe(nginx.url(`admission-out-${ids.indexOf(j.JobId)}`), { seconds: 2 });
      assert.ok(p.streams.some((s) => s.codec_type === 'video' && s.height === 360), JSON.stringify(p.streams));
    }
    // The waiting job has no output: nothing was started for it.
    const h = await health(worker);
    assert.deepEqual([h.Status, h.Leases, h.CapacityCores], ['ok', 2, 0.4]);

    await sdk.call('SendLiveTranscodeJobCommand', { JobId: running[0].JobId, Command: 'stop' });
    await until('the waiting job started on the worker', async () => {
      const j = await job(waiting.JobId);
      return j.Status === 1 && j.Node === 'small' && events(j).includes('assigned:node small');
    }, 20000);
    const p = await probe(nginx.url(`admission-out-${ids.indexOf(waiting.JobId)}`), { seconds: 2 });
    assert.ok(p.streams.some((s) => s.codec_type === 'video' && s.height === 360), JSON.stringify(p.streams));
    assert.equal((await job(running[0].JobId)).Status, 2);
  } finally {
    pub.stop();
  }
});

// Placement spreads the load: six jobs on six inputs, submitted one after another to three
// equal idle workers, run two on each (a claim leaves a new job to the node with the most room).
test('six jobs on three equal workers run two on each', { timeout: 90000 }, async () => {
  const store = pg.createDatabase();
  const api = await startServer({ args: ['--store', store, '--no-jobs', '--node-id', 'api'] });
  nodes.push(api);
  const workers = await Promise.all(['one', 'two', 'three'].map((name) => startWorker({ store, nodeId: `spread-${name}`, args: ['--capacity', '0.75'] })));
  nodes.push(...workers);
  const pubs = [];
  try {
    const sdk = v1Client(api.creds);
    // 0.10 + 228×128×10 / 79e6 ≈ 0.104 cores a job (src/runtime/cost.h): 0.75 holds seven.
    const { TemplateId } = await sdk.call('CreateLiveTranscodeTemplate', {
      Name: 'spread', Type: 'normal',
      TemplateConfig: JSON.stringify({ VideoParams: { Codec: 'H.264', Width: '228', Height: '128', Fps: '10', Bitrate: '150' } }),
    });
    // Idle and known to each other: each has sent its heartbeat (its /healthz says ok).
    await until('three workers heartbeating', async () => (await Promise.all(workers.map(health))).every((h) => h.Status === 'ok'), 10000);
    const ids = [];
    for (let i = 0; i < 6; i++) {
      const input = nginx.url(`spread-src-${i}`);
      pubs.push(publish(input, { seconds: 60, size: '256x144', rate: 10 }));
      ids.push((await sdk.call('SubmitLiveTranscodeJob', {
        Name: `spread-${i}`, TemplateId, StartMode: '0',
        StreamInput: JSON.stringify({ Type: 'rtmp', InputUrl: input }),
        TranscodeOutput: JSON.stringify({ Type: 'rtmp', OutputUrl: nginx.url(`spread-out-${i}`) }),
      })).JobId);
    }
    let where = [];
    await until('six jobs assigned', async () => {
      where = await Promise.all(ids.map(async (id) => (await sdk.call('GetLiveTranscodeJob', { JobId: id })).Job.Node));
      return where.every(Boolean);
    }, 30000);
    const counts = workers.map((w) => where.filter((n) => n === w.nodeId).length);
    assert.deepEqual(counts, [2, 2, 2], `placement ${where.join(', ')}`);
    for (const id of ids) await sdk.call('SendLiveTranscodeJobCommand', { JobId: id, Command: 'stop' });
  } finally {
    for (const p of pubs) p.stop();
  }
});

test('a worker needs a PostgreSQL store', async () => {
  const r = spawnSync(FLOE_BIN, ['worker', '--listen', '127.0.0.1:0', '--data-dir', nodeDir(nodes[0]), '--store', 'var/floe.db'],
    { encoding: 'utf8', timeout: 20000 });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /a worker needs --store postgres:/);
});

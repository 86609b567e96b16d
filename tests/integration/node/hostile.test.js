// Hostile requests and hostile URLs against a real `floe serve` (issue 8): each defect found by
// an attacker, reproduced, and the server keeps serving throughout. Jobs may reach only
// 127.0.0.1 here (--allow-net 127.0.0.1/32); 127.0.0.2 plays the machine's private services
// (a "metadata" endpoint) and counts every TCP connection made to it.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { until } = require('./lib/until');
const { startServer } = require('./lib/server');
const { v1Client, v3Client, expectError } = require('./lib/clients');
const { send } = require('./lib/raw');
const { startNginx, transcode, publish } = require('./lib/media');
const { admin } = require('./lib/admin');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const DOMAIN = 'hostile.floe.test';


// An HTTP server on `host` that counts connections and answers with `routes[path]`.
function httpServer(host, routes) {
  return new Promise((resolve) => {
    let connections = 0;
    const srv = http.createServer((req, res) => {
      const route = routes[req.url.split('?')[0]] || { status: 404, body: 'no' };
      res.writeHead(route.status || 200, route.headers || {});
      res.end(typeof route.body === 'function' ? route.body() : route.body || '');
    });
    srv.on('connection', () => connections++);
    srv.listen(0, host, () => {
      resolve({
        port: srv.address().port,
        connections: () => connections,
        url: (p) => `http://${host}:${srv.address().port}${p}`,
        close: () => new Promise((r) => srv.close(r)),
      });
    });
  });
}

let server;
let sdk;
let v3;
let nginx;
let meta; // 127.0.0.2: must never be reached
let origin; // 127.0.0.1: allowed, serves playlists that point elsewhere
test.before(async () => {
  nginx = await startNginx();
  meta = await httpServer('127.0.0.2', {
    '/latest/meta-data.m3u8': { body: '#EXTM3U\n' },
    '/seg0.ts': { body: 'x'.repeat(1000) },
    '/key': { body: '0123456789abcdef' },
    '/admin': { status: 418, body: 'teapot-secret' },
  });
  const playlist = (seg, key) =>
    `#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n${key}#EXTINF:2.0,\n${seg}\n`;
  const routes = {
    '/hls/segments-elsewhere.m3u8': { body: () => playlist(meta.url('/seg0.ts'), '') },
    '/hls/key-elsewhere.m3u8': {
      body: () => playlist(origin.url('/seg.ts'), `#EXT-X-KEY:METHOD=AES-128,URI="${meta.url('/key')}"\n`),
    },
    '/hls/redirect.m3u8': { status: 302, headers: { Location: 'REDIRECT' } },
    '/hls/file-segment.m3u8': { body: () => playlist('file:///etc/passwd', '') },
    '/hls/forbidden.m3u8': { status: 403, body: 'Forbidden-teapot-secret' },
  };
  // The origin's playlists name its own port, known once it listens.
  origin = await new Promise((resolve) => {
    let connections = 0;
    const srv = http.createServer((req, res) => {
      const p = req.url.split('?')[0];
      const route = routes[p] || { status: 404, body: 'no' };
      const headers = { ...(route.headers || {}) };
      if (headers.Location === 'REDIRECT') headers.Location = meta.url('/latest/meta-data.m3u8');
      res.writeHead(route.status || 200, headers);
      res.end(typeof route.body === 'function' ? route.body() : route.body || '');
    });
    srv.on('connection', () => connections++);
    srv.listen(0, '127.0.0.1', () =>
      resolve({
        port: srv.address().port,
        connections: () => connections,
        url: (p) => `http://127.0.0.1:${srv.address().port}${p}`,
        close: () => new Promise((r) => srv.close(r)),
      }),
    );
  });
  server = await startServer({
    dataDir: path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'floe-hostile-')), 'data'), // Floe makes it
    allowNet: ['127.0.0.1/32'],
    args: ['--live-center', `${DOMAIN}=rtmp://127.0.0.1:${nginx.port}`, '--first-request-timeout-ms', '1000',
      '--max-connections-per-client', '64'],
  });
  sdk = v1Client(server.creds);
  v3 = v3Client(server.creds);
});
test.after(async () => {
  if (server) await server.stop();
  if (nginx) await nginx.stop();
  if (meta) await meta.close();
  if (origin) await origin.close();
});

const healthy = async () => assert.equal((await send(server.port, { path: '/healthz' })).status, 200);
const tpl360 = '00000000000000000000000000000360';
const submit = (inputUrl, output, type = 'hls') =>
  sdk.call('SubmitLiveTranscodeJob', {
    Name: 'hostile', TemplateId: tpl360, StartMode: '0',
    StreamInput: JSON.stringify({ Type: type, InputUrl: inputUrl }),
    TranscodeOutput: JSON.stringify(output || { Type: 'LiveCenter', DomainName: DOMAIN }),
  });
const jobText = async (id) => {
  const j = (await sdk.call('GetLiveTranscodeJob', { JobId: id })).Job;
  return JSON.stringify({ events: j.Events, process: j.Process && { LastError: j.Process.LastError, State: j.Process.State } });
};
const stopJob = (id) => sdk.call('SendLiveTranscodeJobCommand', { JobId: id, Command: 'stop' });

// The run-job processes of one job (other jobs on the machine are not this test's business).
function runJobPids(jobId) {
  try {
    return execFileSync('pgrep', ['-f', `run-job --group ${jobId} `], { encoding: 'utf8' }).trim().split('\n').map(Number);
  } catch (err) {
    if (err.status === 1) return [];
    throw err;
  }
}

test('a TemplateConfig nested 120,000 deep is a clear 400; the server and its job processes live on', async () => {
  const { JobId: id } = await submit(`rtmp://127.0.0.1:${nginx.port}/live/deep`, null, 'rtmp');
  const pids = await until('a job process', () => runJobPids(id).length > 0 && runJobPids(id));
  const deep = `{"VideoParams":{"Height":${'['.repeat(120000)}${']'.repeat(120000)}}}`;
  const e = await expectError(sdk.call('CreateLiveTranscodeTemplate', { Name: 'deep', Type: 'normal', TemplateConfig: deep }),
    'InvalidParam.TemplateConfig', 400);
  assert.match(e.message, /deeper than 32/);
  assert.ok(e.message.length < 300, 'the value is never echoed');
  await healthy();
  assert.deepEqual(runJobPids(id), pids, 'the job process did not die with the server');
  await stopJob(id);
});

test('invalid UTF-8 is refused before anything is stored, and every request is logged', async () => {
  // 'a' + 200,000 continuation bytes once poisoned the account (every Get and List answered 500).
  const name = 'a' + '%80'.repeat(200000);
  const r = await send(server.port, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `Action=CreateLiveTranscodeTemplate&Version=2020-11-09&Type=origin&Name=${name}`,
  });
  assert.equal(r.status, 400);
  assert.equal(r.body.Code, 'InvalidParam.Name');
  const bad = await send(server.port, { path: '/?Action=%FF&Version=2020-11-09' });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.Code, 'InvalidParam.Action');
  // The access log has the line once the answer is sent.
  assert.ok(server.accessLog().includes(`request_id=${bad.body.RequestId} action=- status=400 code=InvalidParam.Action`));
  const list = await sdk.call('ListLiveTranscodeTemplates', {});
  assert.equal(list.TotalCount >= 4, true);
  // A name over 128 characters in bytes that are valid UTF-8 is counted in characters.
  await expectError(v3.call('CreateLiveTranscodeTemplate', { Name: '模'.repeat(129), Type: 'origin' }), 'InvalidParam.Name', 400);
  const ok = await v3.call('CreateLiveTranscodeTemplate', { Name: '模'.repeat(128), Type: 'origin' });
  assert.equal((await v3.call('GetLiveTranscodeTemplate', { TemplateId: ok.TemplateId })).TemplateContent.Name, '模'.repeat(128));
});

test('SQL metacharacters in every string field are data, never SQL', async () => {
  const evil = "x'); DROP TABLE templates; --";
  const { TemplateId: id } = await sdk.call('CreateLiveTranscodeTemplate', { Name: evil, Type: 'origin' });
  assert.equal((await sdk.call('GetLiveTranscodeTemplate', { TemplateId: id })).TemplateContent.Name, evil);
  for (const kw of ["%' OR 1=1 --", '%', '_', "' OR '1'='1"]) {
    assert.equal((await sdk.call('ListLiveTranscodeTemplates', { KeyWord: kw })).TotalCount, 0, kw);
    assert.equal((await sdk.call('ListLiveTranscodeJobs', { KeyWord: kw })).TotalCount, 0, kw);
  }
  assert.equal((await sdk.call('ListLiveTranscodeTemplates', { KeyWord: 'DROP TABLE' })).TotalCount, 1);
  await expectError(sdk.call('GetLiveTranscodeTemplate', { TemplateId: "' OR '1'='1" }), 'ResourceNotFound', 404);
  await expectError(sdk.call('GetLiveTranscodeJob', { JobId: "1; DELETE FROM jobs" }), 'ResourceNotFound', 404);
  const { JobId: job } = await sdk.call('SubmitLiveTranscodeJob', {
    Name: evil, TemplateId: tpl360, StartMode: '1',
    StreamInput: JSON.stringify({ Type: 'rtmp', InputUrl: `rtmp://127.0.0.1:${nginx.port}/live/x'--` }),
    TranscodeOutput: JSON.stringify({ Type: 'LiveCenter', DomainName: DOMAIN }),
    TimedConfig: JSON.stringify({ StartTime: new Date(Date.now() + 3600e3).toISOString() }),
  });
  const j = (await sdk.call('GetLiveTranscodeJob', { JobId: job })).Job;
  assert.equal(j.Name, evil);
  assert.equal(j.StreamInput.InputUrl, `rtmp://127.0.0.1:${nginx.port}/live/x'--`);
  await sdk.call('DeleteLiveTranscodeJob', { JobId: job });
  await sdk.call('DeleteLiveTranscodeTemplate', { TemplateId: id });
});

test('silent, slow and oversized connections cannot exhaust the server', async () => {
  const fds = () => fs.readdirSync(`/proc/${server.proc.pid}/fd`).length;
  const before = fds();
  // 150 connections from one address that never send a byte: at most 64 are held, and only
  // until the first-request timeout (1 s here).
  const sockets = [];
  for (let i = 0; i < 150; i++) {
    sockets.push(await new Promise((resolve) => {
      const s = net.connect(server.port, '127.0.0.1', () => resolve(s));
      s.on('error', () => {});
    }));
  }
  await sleep(300);
  assert.ok(fds() <= before + 64 + 4, `server holds ${fds() - before} more fds`);
  const closed = sockets.map((s) => new Promise((r) => (s.destroyed || s.readableEnded ? r() : s.on('close', r))));
  await Promise.race([Promise.all(closed), sleep(8000).then(() => assert.fail('silent connections were not closed'))]);
  await healthy();
  // A header over the limit is a 431; a body over it a 413.
  const big = await send(server.port, { path: '/healthz', headers: { 'x-big': 'y'.repeat(20000) } });
  assert.equal(big.status, 431);
  const body = await send(server.port, { method: 'POST', body: 'x'.repeat(2 << 20) }).catch(() => ({ status: 413 }));
  assert.equal(body.status, 413);
  // Slowloris: a request trickling in a byte a second is cut at the read timeout.
  const slow = net.connect(server.port, '127.0.0.1');
  slow.on('error', () => {});
  slow.write('GET /healthz HTTP/1.1\r\n');
  const timer = setInterval(() => slow.write('X'), 1000);
  const ended = await Promise.race([new Promise((r) => slow.on('close', () => r(true))), sleep(20000).then(() => false)]);
  clearInterval(timer);
  assert.ok(ended, 'a trickling request is cut off');
  await healthy();
});

test('local-file and nested-protocol URLs are refused at submit, as input and as output', async () => {
  const tricks = ['file:///etc/passwd', 'concat:rtmp://127.0.0.1/a/b|rtmp://127.0.0.1/a/c', 'subfile:,start,0,end,10,:/etc/passwd',
    'pipe:0', 'data:text/plain;base64,AAAA', 'crypto:http://127.0.0.1/x.m3u8', 'tee:rtmp://127.0.0.1/a/b',
    'http://127.0.0.1/admin#.m3u8', 'https://127.0.0.1/x.m3u8#frag'];
  for (const url of tricks) {
    await expectError(submit(url, null, url.startsWith('http') ? 'hls' : 'rtmp'), 'InvalidParam.StreamInput.InputUrl', 400);
    await expectError(submit(`rtmp://127.0.0.1:${nginx.port}/live/in`, { Type: 'rtmp', OutputUrl: url }, 'rtmp'),
      'InvalidParam.TranscodeOutput.OutputUrl', 400);
  }
  // SRT: never a listener on this machine, and bounded options.
  for (const url of ['srt://0.0.0.0:45999?mode=listener&rcvbuf=1000000000', 'srt://127.0.0.1:45999?mode=rendezvous',
    'srt://127.0.0.1:45999?rcvbuf=1000000000', 'srt://127.0.0.1:45999?latency=99999999999', 'srt://127.0.0.1:45999?localport=80']) {
    await expectError(submit(url, null, 'srt'), 'InvalidParam.StreamInput.InputUrl', 400);
  }
  await healthy();
});

test('jobs never reach a network that is not allowed: redirects, playlist segments and keys, private and metadata addresses', async () => {
  const base = meta.connections();
  const cases = [
    [origin.url('/hls/segments-elsewhere.m3u8'), 'hls'],
    [origin.url('/hls/key-elsewhere.m3u8'), 'hls'],
    [origin.url('/hls/redirect.m3u8'), 'hls'],
    [meta.url('/latest/meta-data.m3u8'), 'hls'],
    ['rtmp://169.254.169.254/live/x', 'rtmp'],
    ['rtmp://127.0.0.2:' + meta.port + '/live/x', 'rtmp'],
  ];
  const ids = [];
  for (const [url, type] of cases) ids.push([url, (await submit(url, null, type)).JobId]);
  // An output URL on a private address is refused too (the input is fine).
  const { JobId: out } = await submit(`rtmp://127.0.0.1:${nginx.port}/live/never`, { Type: 'rtmp', OutputUrl: `rtmp://127.0.0.2:${meta.port}/live/x` }, 'rtmp');
  for (const [url, id] of ids) {
    const text = await until(`the refusal of ${url}`, async () => {
      const t = await jobText(id);
      return /input refused: address not allowed/.test(t) && t;
    });
    assert.doesNotMatch(text, /teapot|418|Permission denied/);
  }
  await sleep(1000);
  assert.equal(meta.connections(), base, 'nothing connected to 127.0.0.2');
  for (const [, id] of ids) await stopJob(id);
  await stopJob(out);
  await healthy();
});

test("events say 'input unreachable', never the remote's answer", async () => {
  const { JobId: id } = await submit(origin.url('/hls/forbidden.m3u8'));
  const text = await until('input unreachable', async () => {
    const t = await jobText(id);
    return /input unreachable/.test(t) && t;
  });
  assert.doesNotMatch(text, /403|Forbidden|teapot/);
  // A playlist naming a local file is not read either.
  const { JobId: file } = await submit(origin.url('/hls/file-segment.m3u8'));
  await until('the file: segment to be refused', async () => /input (unreachable|refused)/.test(await jobText(file)));
  assert.doesNotMatch(await jobText(file), /root:/);
  await stopJob(id);
  await stopJob(file);
});

test('floe transcode has the same guard, and --allow-net widens it (the control that proves the probe)', async () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'floe-guard-'));
  const t = { Type: 'normal', TemplateConfig: { VideoParams: { Height: '360', Fps: '25', Bitrate: '500' } } };
  const run = (allow) => transcode({
    templates: [t], input: origin.url('/hls/segments-elsewhere.m3u8'), outputs: [nginx.url('guard')],
    args: ['--allow-net', allow, '--reconnect-window-ms', '500', '--connect-timeout-ms', '3000'],
  }).done;
  const base = meta.connections();
  const refused = await run('127.0.0.1/32');
  assert.notEqual(refused.code, 0);
  assert.match(refused.err, /input refused: address not allowed/);
  assert.equal(meta.connections(), base, 'transcode connected to 127.0.0.2');
  await run('127.0.0.0/8');
  assert.ok(meta.connections() > base, 'with 127.0.0.0/8 allowed the segment on 127.0.0.2 is fetched');
  fs.rmSync(work, { recursive: true, force: true });
});

test('every file Floe creates is for its own user only, and a stopped job leaves no lock file', async () => {
  const { JobId: id } = await submit(`rtmp://127.0.0.1:${nginx.port}/live/locks`, null, 'rtmp');
  const runDir = path.join(server.dataDir, 'run');
  await until('the job lock', () => fs.existsSync(path.join(runDir, `${id}.lock`)));
  const modes = {};
  const walk = (dir) => {
    for (const name of fs.readdirSync(dir)) {
      const p = path.join(dir, name);
      const st = fs.statSync(p);
      modes[path.relative(server.dataDir, p)] = st.mode & 0o777;
      if (st.isDirectory()) walk(p);
    }
  };
  walk(server.dataDir);
  assert.equal(fs.statSync(server.dataDir).mode & 0o777, 0o700);
  assert.ok(Object.keys(modes).some((k) => k.startsWith('floe.db')), JSON.stringify(modes));
  for (const [name, mode] of Object.entries(modes)) {
    const dir = fs.statSync(path.join(server.dataDir, name)).isDirectory();
    assert.equal(mode, dir ? 0o700 : 0o600, `${name} is ${mode.toString(8)}`);
  }
  await stopJob(id);
  assert.deepEqual(fs.readdirSync(runDir).filter((f) => f.startsWith(id)), []);
});

// Two accounts and the operator's origin (issue 21). The origin is an nginx on 127.0.0.3, which
// the policy does not allow, behind a proxy that counts every TCP connection; account A's
// LiveCenter domain pushes there. A secret feed is live on the origin. Nothing but A's own
// LiveCenter output may connect, and no stream may appear there under a name no job owns.
test.describe('tenants and the origin', () => {
  const ORIGIN_DOMAIN = 'origin.floe.test';
  const tplOut = `live/cam1_${tpl360}`; // what A's LiveCenter job owns at the origin
  let originNginx;
  let proxy;
  let feeds = [];
  let accountB;
  let sdkB;
  const jobs = [];
  test.before(async () => {
    originNginx = await startNginx({ host: '127.0.0.3', stat: true });
    proxy = await new Promise((resolve) => {
      let connections = 0;
      const srv = net.createServer((c) => {
        connections++;
        const up = net.connect(originNginx.port, '127.0.0.3');
        c.pipe(up).pipe(c);
        c.on('error', () => up.destroy());
        up.on('error', () => c.destroy());
      });
      srv.listen(0, '127.0.0.3', () => resolve({ port: srv.address().port, connections: () => connections, close: () => srv.close() }));
    });
    feeds = [
      publish(originNginx.url('secret_feed'), { seconds: 90, size: '320x180', rate: 15 }),
      publish(nginx.url('cam1'), { seconds: 90, size: '320x180', rate: 15 }),
    ];
    admin(server.dataDir, 'domain', 'add', '--account', admin(server.dataDir, 'account', 'show-root').AccountId, '--name', ORIGIN_DOMAIN,
      '--push-base', `rtmp://127.0.0.3:${proxy.port}`);
    const acc = admin(server.dataDir, 'account', 'create', '--name', 'tenant-b');
    admin(server.dataDir, 'account', 'enable-ice', '--account', acc.AccountId);
    accountB = acc.AccountId;
    const k = admin(server.dataDir, 'key', 'create', '--account', accountB);
    sdkB = v1Client({ port: server.port, accessKeyId: k.AccessKeyId, accessKeySecret: k.AccessKeySecret });
    await until('the secret feed at the origin', async () => (await originNginx.clients()).has('live/secret_feed'));
  });
  test.after(async () => {
    for (const [client, id] of jobs) await client.call('SendLiveTranscodeJobCommand', { JobId: id, Command: 'stop' }).catch(() => {});
    for (const f of feeds) f.stop();
    if (proxy) proxy.close();
    if (originNginx) await originNginx.stop();
  });
  const submitAs = async (client, input, output) => {
    const { JobId } = await client.call('SubmitLiveTranscodeJob', {
      Name: 'tenant', TemplateId: tpl360, StartMode: '0',
      StreamInput: JSON.stringify({ Type: 'rtmp', InputUrl: input }), TranscodeOutput: JSON.stringify(output),
    });
    jobs.push([client, JobId]);
    return JobId;
  };
  const eventsOf = async (client, id) => JSON.stringify((await client.call('GetLiveTranscodeJob', { JobId: id })).Job.Events);
  // Every stream published at the origin is one a job owns (or the operator's secret feed).
  const originStreamsAreOwned = async () => {
    for (const [name, c] of await originNginx.clients()) {
      if (c.publishers.length === 0) continue;
      assert.ok(name === 'live/secret_feed' || name === tplOut, `${name} was published at the origin`);
    }
  };

  test("a LiveCenter job cannot read the origin through its own push base", async () => {
    const before = proxy.connections();
    const id = await submitAs(sdk, `rtmp://127.0.0.3:${proxy.port}/live/secret_feed`, { Type: 'LiveCenter', DomainName: ORIGIN_DOMAIN });
    await until('the input refusal', async () => /input refused: address not allowed/.test(await eventsOf(sdk, id)));
    await sleep(1500);
    assert.equal(proxy.connections(), before, 'the input connected to the origin');
    assert.equal((await originNginx.clients()).get('live/secret_feed').players, 0, 'someone played the secret feed');
    await originStreamsAreOwned();
    await stopJob(id);
  });

  test("a job that shares a LiveCenter job's process cannot publish at that origin", async () => {
    const a1 = await submitAs(sdk, nginx.url('cam1'), { Type: 'LiveCenter', DomainName: ORIGIN_DOMAIN });
    await until("A's LiveCenter output at the origin", async () => ((await originNginx.clients()).get(tplOut) || { publishers: [] }).publishers.length === 1, 30000);
    const [pid] = runJobPids(a1);
    const withOutput = proxy.connections();
    const a2 = await submitAs(sdk, nginx.url('cam1'), { Type: 'rtmp', OutputUrl: `rtmp://127.0.0.3:${proxy.port}/live/hijack` });
    await until('the output refusal', async () => /output refused: address not allowed/.test(await eventsOf(sdk, a2)), 30000);
    assert.deepEqual(runJobPids(a2), [], 'a2 joined the process of its input');
    assert.ok(pid > 0 && process.kill(pid, 0));
    await sleep(1500);
    assert.equal(proxy.connections(), withOutput, 'a second connection reached the origin');
    await originStreamsAreOwned();
  });

  test('two accounts never share a process, a domain or a push base', async () => {
    // B names A's input string; it gets a process of its own, and the origin stays shut to it.
    const [a1pid] = jobs.map(([, id]) => runJobPids(id)).find((p) => p.length === 1);
    const before = proxy.connections();
    const b = await submitAs(sdkB, nginx.url('cam1'), { Type: 'rtmp', OutputUrl: `rtmp://127.0.0.3:${proxy.port}/live/hijack2` });
    await until('the output refusal', async () => /output refused: address not allowed/.test(await eventsOf(sdkB, b)), 30000);
    const bpids = runJobPids(b);
    assert.equal(bpids.length, 1, 'B has a process of its own');
    assert.notEqual(bpids[0], a1pid);
    await sleep(1500);
    assert.equal(proxy.connections(), before, 'B reached the origin');
    await originStreamsAreOwned();
    // A's domain is not B's, and B cannot be given a domain on A's push base.
    await expectError(sdkB.call('SubmitLiveTranscodeJob', {
      Name: 'b', TemplateId: tpl360, StartMode: '0',
      StreamInput: JSON.stringify({ Type: 'rtmp', InputUrl: nginx.url('cam1') }),
      TranscodeOutput: JSON.stringify({ Type: 'LiveCenter', DomainName: ORIGIN_DOMAIN }),
    }), 'InvalidParam.TranscodeOutput.DomainName', 400);
    assert.throws(() => admin(server.dataDir, 'domain', 'add', '--account', accountB, '--name', 'b.floe.test',
      '--push-base', `rtmp://127.0.0.3:${proxy.port}`), (e) => e.json && e.json.Code === 'PushBaseInUse');
    await healthy();
  });
});

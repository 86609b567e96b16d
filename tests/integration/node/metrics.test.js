// /metrics on --metrics-listen while a live job runs: the text is valid Prometheus exposition,
// the job's counters move between two scrapes, the API's requests are counted by action and
// code, and the API port does not serve it (tenants cannot read it). Also the ready block
// that `floe serve` prints, and metrics being off unless asked for.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const http = require('node:http');
const { until } = require('./lib/until');
const { startServer } = require('./lib/server');
const { v1Client, expectError } = require('./lib/clients');
const { startNginx, publish } = require('./lib/media');
const { send } = require('./lib/raw');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let nginx;
let server;
let sdk;
test.before(async () => {
  nginx = await startNginx();
  server = await startServer({ args: ['--metrics-listen', '127.0.0.1:0', '--node-id', 'node-t'] });
  sdk = v1Client(server.creds);
});
test.after(async () => {
  if (server) await server.stop();
  if (nginx) await nginx.stop();
});

async function scrape() {
  const res = await fetch(`http://127.0.0.1:${server.metricsPort}/metrics`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
  return res.text();
}

// name{labels} → value, checking the exposition rules on the way: each family has one HELP and
// one TYPE before its samples, and every sample line is well formed.
function parse(text) {
  const samples = new Map();
  const typed = new Map();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = line.match(/^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$/);
    if (meta) {
      const key = `${meta[1]} ${meta[2]}`;
      assert.ok(!typed.has(key), `${key} twice`);
      typed.set(key, meta[3]);
      continue;
    }
    const m = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*",?)*\})? (-?[0-9.]+(?:e[+-]?[0-9]+)?|\+Inf|NaN)$/);
    assert.ok(m, `malformed sample line: ${line}`);
    const family = m[1].replace(/_(bucket|sum|count)$/, '');
    assert.ok(typed.has(`TYPE ${m[1]}`) || typed.has(`TYPE ${family}`), `${m[1]} before its TYPE`);
    samples.set(`${m[1]}${m[2] || ''}`, Number(m[3]));
  }
  for (const [key, type] of typed) {
    if (key.startsWith('TYPE ') && key.endsWith('_total')) assert.equal(type, 'counter', key);
  }
  return samples;
}

test('floe serve ends its start-up with a ready block that says where everything is', () => {
  const out = server.stdout();
  assert.match(out, /Floe is ready/);
  assert.match(out, new RegExp(`API endpoint: +http://127\\.0\\.0\\.1:${server.port}\\n`));
  assert.match(out, /credentials: +.*credentials\.json/);
  assert.match(out, new RegExp(`metrics: +http://127\\.0\\.0\\.1:${server.metricsPort}/metrics`));
  assert.match(out, /access log: +.*access\.log/);
});

test('a running job\'s figures move between two scrapes; API requests are counted by action and code', { timeout: 90000 }, async () => {
  const src = nginx.url('metrics-src');
  const pub = publish(src, { seconds: 60, size: '426x240', rate: 25 });
  try {
    await sleep(1000);
    const { TemplateId } = await sdk.call('CreateLiveTranscodeTemplate', {
      Name: 'm-180p', Type: 'normal',
      TemplateConfig: JSON.stringify({ VideoParams: { Codec: 'H.264', Height: '180', Fps: '25', Bitrate: '200', Gop: '25' },
        AudioParams: { Codec: 'AAC', Bitrate: '64', Samplerate: '44100', Channels: '2' } }),
    });
    const { JobId } = await sdk.call('SubmitLiveTranscodeJob', {
      Name: 'm', TemplateId, StartMode: '0',
      StreamInput: JSON.stringify({ Type: 'rtmp', InputUrl: src }),
      TranscodeOutput: JSON.stringify({ Type: 'rtmp', OutputUrl: nginx.url('metrics-out') }),
    });
    await until('job running with stats', async () => {
      const j = (await sdk.call('GetLiveTranscodeJob', { JobId })).Job;
      return j.Process && j.Process.State === 'running' && j.Process.Stats;
    }, 30000);
    await expectError(sdk.call('GetLiveTranscodeTemplate', { TemplateId: 'nope' }), 'ResourceNotFound', 404);

    const l = `{job_id="${JobId}",template_id="${TemplateId}",node="node-t"}`;
    const first = parse(await scrape());
    await sleep(2500);
    const text = await scrape();
    const second = parse(text);

    // Every metric the Grafana dashboard in deploy/ queries is one Floe serves.
    const dashboard = JSON.parse(fs.readFileSync(path.join(__dirname, '../../../deploy/grafana/floe-dashboard.json'), 'utf8'));
    const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr));
    assert.ok(exprs.length >= 10);
    for (const name of new Set(exprs.join(' ').match(/\b(floe|process)_[a-z_]+\b/g))) {
      const family = name.replace(/_(bucket|sum|count)$/, '');
      assert.match(text, new RegExp(`^# TYPE ${family} `, 'm'), `the dashboard's ${name}`);
    }

    assert.equal(second.get(`floe_job_state{job_id="${JobId}",template_id="${TemplateId}",node="node-t",state="running"}`), 1);
    for (const counter of ['floe_job_output_frames_total', 'floe_job_output_bytes_total', 'floe_job_input_frames_total',
      'floe_job_input_bytes_total', 'floe_job_output_gap_seconds_count', 'floe_job_output_gap_seconds_sum']) {
      assert.ok(second.get(counter + l) > first.get(counter + l), `${counter} moved: ${first.get(counter + l)} → ${second.get(counter + l)}`);
    }
    // 25 fps out: the last second's rate, and the speed of real time.
    assert.ok(Math.abs(second.get(`floe_job_output_frames_per_second${l}`) - 25) < 5, `${second.get(`floe_job_output_frames_per_second${l}`)} fps`);
    assert.ok(second.get(`floe_job_output_bits_per_second${l}`) > 50000);
    assert.ok(Math.abs(second.get(`floe_job_speed_ratio${l}`) - 1) < 0.3);
    // A healthy output's packets arrive within 100 ms of each other.
    const gapsWithin = second.get(`floe_job_output_gap_seconds_bucket{job_id="${JobId}",template_id="${TemplateId}",node="node-t",le="0.1"}`);
    assert.ok(gapsWithin / second.get(`floe_job_output_gap_seconds_count${l}`) > 0.95);
    for (const zero of ['floe_job_output_dropped_frames_total', 'floe_job_input_switches_total', 'floe_job_restarts_total']) {
      assert.equal(second.get(zero + l), 0, zero);
    }
    assert.equal(second.get('floe_node_jobs{node="node-t"}'), 1);
    assert.equal(second.get('floe_node_media_processes{node="node-t"}'), 1);
    assert.ok(second.get(`floe_media_process_cpu_seconds_total{node="node-t",group="${JobId}"}`) >
      first.get(`floe_media_process_cpu_seconds_total{node="node-t",group="${JobId}"}`));
    assert.ok(second.get(`floe_media_process_resident_memory_bytes{node="node-t",group="${JobId}"}`) > 1e6);
    assert.ok(second.get('process_resident_memory_bytes') > 1e6);

    // The API: GetLiveTranscodeJob was called while waiting, and its count grows with each call.
    const gets = (s) => s.get('floe_api_requests_total{action="GetLiveTranscodeJob",code="OK"}');
    assert.ok(gets(second) >= 1);
    assert.equal(second.get('floe_api_requests_total{action="GetLiveTranscodeTemplate",code="ResourceNotFound"}'), 1);
    assert.equal(second.get('floe_api_request_duration_seconds_count{action="SubmitLiveTranscodeJob"}'), 1);
    await sdk.call('GetLiveTranscodeJob', { JobId });
    await sdk.call('GetLiveTranscodeJob', { JobId });
    assert.equal(gets(parse(await scrape())), gets(second) + 2);

    await sdk.call('SendLiveTranscodeJobCommand', { JobId, Command: 'stop' });
    const after = parse(await scrape());
    assert.equal(after.get('floe_node_jobs{node="node-t"}'), 0);
    assert.equal(after.get(`floe_job_output_frames_total${l}`), undefined);
  } finally {
    pub.stop();
  }
});

test('the API port does not serve metrics, and the metrics port serves nothing else', async () => {
  const api = await send(server.port, { path: '/metrics' });
  assert.equal(api.status, 404);
  assert.equal(api.body.Code, 'InvalidUri');
  const other = await fetch(`http://127.0.0.1:${server.metricsPort}/`);
  assert.equal(other.status, 404);
});

test('metrics are off unless --metrics-listen is given', async () => {
  const plain = await startServer();
  try {
    assert.equal(plain.metricsPort, null);
    assert.match(plain.log(), /event=listening .* metrics=off/);
    assert.match(plain.stdout(), /metrics: +off/);
  } finally {
    await plain.stop();
  }
});

// An invalid value under a made-up parameter name was the code InvalidParam.<that name>, before
// authentication: 20,000 such requests were 20,000 series of floe_api_requests_total, never
// pruned. Codes and actions are now labels out of fixed sets.
test('made-up parameter names and actions add no series to the API counters', { timeout: 30000 }, async () => {
  const series = async () => [...parse(await scrape()).keys()].filter((k) => k.startsWith('floe_api_requests_total{'));
  const before = await series();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const get = (p) => new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: server.port, path: p, agent }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve(JSON.parse(body)));
    }).on('error', reject);
  });
  const N = 10000;
  let next = 0;
  const codes = new Set();
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (next < N) {
      const i = next++;
      // Most with a made-up name holding invalid UTF-8, some with a made-up action.
      const p = i % 10 === 9
        ? `/?Action=Made${i}Up&Version=2020-11-09`
        : `/?Version=2020-11-09&p${i}x=%FF`;
      codes.add((await get(p)).Code);
    }
  }));
  agent.destroy();
  assert.deepEqual([...codes].sort(), ['InvalidAction.NotFound', 'InvalidParameter']);
  const after = await series();
  const added = after.filter((k) => !before.includes(k));
  assert.ok(added.length <= 2, added.join('\n'));
  for (const k of added) assert.match(k, /action="unknown"/);
});

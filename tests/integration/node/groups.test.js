// Jobs on one input share one media process (one demux, one decode): a job joins and leaves
// while the others run on without a gap, each keeps its own status, events, stats and output,
// a rendition that fails fails only its job, and a process crash restarts the group. Measured
// on the outputs with an unbuffered ffprobe (packet arrival), as the continuity tests do.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { until } = require('./lib/until');
const { startServer } = require('./lib/server');
const { v1Client } = require('./lib/clients');
const { startNginx, publish, probe, summarize, arrivals, largestGap } = require('./lib/media');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const FPS = 25;
// The output clock's bound (continuity.test.js): one frame interval + 250 ms.
const MAX_GAP_MS = 1000 / FPS + 250;
const config = (height, bitrate) => JSON.stringify({
  VideoParams: { Codec: 'H.264', Height: String(height), Fps: String(FPS), Bitrate: String(bitrate), Gop: '25' },
  AudioParams: { Codec: 'AAC', Bitrate: '64', Samplerate: '44100', Channels: '2' },
});

let nginx;
let server;
let sdk;
const templates = {};
test.before(async () => {
  nginx = await startNginx();
  server = await startServer();
  sdk = v1Client(server.creds);
  for (const [name, h, b] of [['240p', 240, 300], ['180p', 180, 200], ['144p', 144, 150]]) {
    templates[name] = (await sdk.call('CreateLiveTranscodeTemplate', { Name: name, Type: 'normal', TemplateConfig: config(h, b) })).TemplateId;
  }
});
test.after(async () => {
  if (server) await server.stop();
  if (nginx) await nginx.stop();
});

// This server's media processes, found by its lock directory.
function processes() {
  try {
    const out = execFileSync('pgrep', ['-f', `run-job .*--lock-dir ${path.join(server.dataDir, 'run')}`], { encoding: 'utf8' });
    return out.trim().split('\n').map(Number);
  } catch (err) {
    if (err.status === 1) return []; // pgrep exits 1 when nothing matches; anything else is a failure
    throw err;
  }
}

// What the server logged of its processes and jobs lately (for a failure's message).
function lastWords() {
  return server.log().split('\n').filter((l) => /event=(job_|rendition_|lease_)|ERROR|Sanitizer|signal/.test(l)).slice(-30).join('\n');
}

const get = async (id) => (await sdk.call('GetLiveTranscodeJob', { JobId: id })).Job;
const running = (id) => until(`job ${id} running`, async () => {
  const j = await get(id);
  return j.Process && j.Process.State === 'running' && j;
}, 30000);
async function submit(name, tpl, src, out) {
  return (await sdk.call('SubmitLiveTranscodeJob', {
    Name: name, TemplateId: templates[tpl], StartMode: '0',
    StreamInput: JSON.stringify({ Type: 'rtmp', InputUrl: src }),
    TranscodeOutput: JSON.stringify({ Type: 'rtmp', OutputUrl: out }),
  })).JobId;
}

// Publishes PREFIX-src, runs a 240p job on it (output PREFIX-a) and calls body(src, a) with the
// job's id once it runs; the publisher stops after.
async function withRunningJob(prefix, body) {
  const src = nginx.url(`${prefix}-src`);
  const pub = publish(src, { seconds: 80, size: '426x240', rate: FPS });
  try {
    await sleep(1500);
    const a = await submit(`${prefix}-a`, '240p', src, nginx.url(`${prefix}-a`));
    await running(a);
    await body(src, a);
  } finally {
    pub.stop();
  }
}

test('a job joins and leaves a running input: one process, and the other output never waits', { timeout: 120000 }, async (t) => {
  await withRunningJob('grp', async (src, a) => {
    assert.equal(processes().length, 1);
    await sleep(2000);
    const t0 = performance.now();
    const probing = arrivals(nginx.url('grp-a'), 24);
    await sleep(5000);
    const joined = performance.now() - t0;
    const b = await submit('b', '180p', src, nginx.url('grp-b'));
    const jb = await running(b);
    // One demux and decode: the second job is a rendition of the first one's process.
    assert.equal(processes().length, 1, 'one media process for two jobs on one input');
    const sb = summarize(await probe(nginx.url('grp-b'), { seconds: 3 }));
    assert.equal(sb.video.height, 180);
    assert.equal(sb.audio.codec, 'aac');
    // Its own status, events and stats.
    assert.equal(jb.Status, 1);
    assert.ok(jb.Events.some((e) => e.Event === 'started'), JSON.stringify(jb.Events));
    await until('stats of b', async () => {
      const st = (await get(b)).Process.Stats;
      return st && st.outputs && st.outputs.length === 1 && st.outputs[0].rendition === b && st.outputs[0].frames > 0;
    }, 10000);
    // Both templates have the same AudioParams: one audio encode for the two.
    await until('stats with both renditions', async () => (await get(a)).Process.Stats.audio_encoders === 1, 5000);
    const ja = await get(a);
    assert.equal(ja.Process.Stats.outputs.length, 1);
    assert.equal(ja.Process.Stats.outputs[0].rendition, a);
    await sleep(3000);
    const left = performance.now() - t0;
    await sdk.call('SendLiveTranscodeJobCommand', { JobId: b, Command: 'stop' });
    assert.equal((await get(b)).Status, 2);
    assert.deepEqual(processes().length, 1, `the process runs on for the other job; the server said:\n${lastWords()}`);
    await sleep(3000);
    const deleted = performance.now() - t0;
    await sdk.call('DeleteLiveTranscodeJob', { JobId: b });
    const packets = await probing;
    const v = largestGap(packets, 'video', t0);
    const au = largestGap(packets, 'audio', t0);
    t.diagnostic(`other output while a job joined (${joined.toFixed(0)} ms), left (${left.toFixed(0)} ms), was deleted (${deleted.toFixed(0)} ms): ` +
      `largest gap video ${v.gap.toFixed(0)} ms (at ${v.at.toFixed(0)} ms), audio ${au.gap.toFixed(0)} ms; measured ${v.from.toFixed(0)}–${v.to.toFixed(0)} ms`);
    assert.ok(v.from < joined - 500 && v.to > deleted + 2000, `measured ${v.from}–${v.to} ms`);
    assert.ok(v.gap <= MAX_GAP_MS, `video waited ${v.gap.toFixed(0)} ms (at ${v.at.toFixed(0)} ms)`);
    assert.ok(au.gap <= MAX_GAP_MS, `audio waited ${au.gap.toFixed(0)} ms (at ${au.at.toFixed(0)} ms)`);
    const events = (await get(a)).Events.map((e) => e.Event);
    assert.ok(!events.includes('failed'), JSON.stringify(events));
    await sdk.call('DeleteLiveTranscodeJob', { JobId: a });
    await until('no media process left', () => processes().length === 0, 10000);
  });
});

test('a refused output fails only its job; a process crash restarts the group', { timeout: 120000 }, async (t) => {
  await withRunningJob('grp2', async (src, a) => {
    const t0 = performance.now();
    const probing = arrivals(nginx.url('grp2-a'), 12);
    await sleep(3000);
    // Nothing listens on port 1: this job's output is refused, again and again.
    const c = await submit('c2', '144p', src, 'rtmp://127.0.0.1:1/live/refused');
    const jc = await until('job c waits for its output', async () => {
      const j = await get(c);
      return j.Process && j.Process.State === 'waiting-output' && j.Events.some((e) => e.Event === 'output_waiting') && j;
    }, 15000);
    assert.ok(!jc.Events.some((e) => e.Event === 'started'), JSON.stringify(jc.Events));
    const packets = await probing;
    const v = largestGap(packets, 'video', t0);
    t.diagnostic(`other output while a job's output was refused: largest gap ${v.gap.toFixed(0)} ms`);
    assert.ok(v.gap <= MAX_GAP_MS, `video waited ${v.gap.toFixed(0)} ms (at ${v.at.toFixed(0)} ms)`);
    const ja = await get(a);
    assert.equal(ja.Process.State, 'running');
    assert.ok(!ja.Events.some((e) => e.Event === 'failed' || e.Event === 'output_waiting'), JSON.stringify(ja.Events));
    assert.equal(processes().length, 1);
    await sdk.call('DeleteLiveTranscodeJob', { JobId: c });

    // The process dies: each of its jobs has a failure, and the group runs again.
    const b = await submit('b2', '180p', src, nginx.url('grp2-b'));
    await running(b);
    const [pid] = processes();
    process.kill(pid, 'SIGKILL');
    for (const id of [a, b]) {
      await until(`job ${id} failed`, async () => (await get(id)).Events.some((e) => e.Event === 'failed' && /signal 9/.test(e.Detail)), 10000);
    }
    await until('both running again in one new process', async () => {
      const [x, y] = [await get(a), await get(b)];
      const now = processes();
      return x.Process && y.Process && x.Process.State === 'running' && y.Process.State === 'running' &&
        now.length === 1 && now[0] !== pid;
    }, 20000);
    assert.equal(summarize(await probe(nginx.url('grp2-b'), { seconds: 3 })).video.height, 180);
    for (const id of [a, b]) await sdk.call('DeleteLiveTranscodeJob', { JobId: id });
  });
});

// Failover on one PostgreSQL (a private server), one API node (`floe serve --no-jobs`) and
// three workers, on loopback with a real nginx-rtmp as the origin:
//   - six jobs run, two on each worker (A and B admit two jobs each, C seven: capacities);
//   - SIGKILL worker A: its two jobs run on C within 3 s (its presence session ends with it: the
//     watcher expires its leases at once), on the same output URLs;
//   - SIGSTOP worker B with its media processes for longer than the lease: its jobs move to C,
//     and when B wakes (SIGCONT) its processes are gone without pushing again.
// Throughout, nginx's rtmp_stat is read every 100 ms: no output ever has two publishers, each
// changes publisher once per move, and nginx never refused a second publisher ("already
// publishing") — at no moment do two nodes push one job.
// And a worker cut off from PostgreSQL (a proxy between them closes) stops pushing within the
// lease time and says so on /healthz; when the database is back, it takes its job again. With a
// second worker present, the cut worker's job runs there (timed like the others).
//
// FAILOVER_RUNS=10 repeats the whole scenario and prints the distribution of the times, and of
// submit → first packet at the origin (bench/RESULTS.md); make test runs it once, against looser
// bounds (a machine busy with the rest of the suite starts media processes late).
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const { until } = require('./lib/until');
const { startServer, startWorker } = require('./lib/server');
const { v1Client } = require('./lib/clients');
const { startPostgres } = require('./lib/postgres');
const { startNginx, publish, probe } = require('./lib/media');

const RUNS = Number(process.env.FAILOVER_RUNS || 1);
const LEASE_MS = 3000; // the defaults (heartbeat 1 s): what the figures are for
// Issue 24's goals for the measured runs: a dead worker's jobs back at the origin within 3 s, a
// paused one's within the lease + 1.5 s. The one run of make test is given more room.
const KILL_BOUND_MS = RUNS > 1 ? 3000 : 6000;
const STOP_BOUND_MS = RUNS > 1 ? LEASE_MS + 1500 : LEASE_MS + 4000;
// Submit → first packet at the origin (it was 2.7 s while the input probe read 2 s ahead).
const FIRST_BOUND_MS = RUNS > 1 ? 2000 : 4000;
const JOB_TEMPLATE = { VideoParams: { Codec: 'H.264', Width: '228', Height: '128', Fps: '10', Bitrate: '150' } };
// 0.10 + 228×128×10 / 79e6 ≈ 0.104 cores a job (src/runtime/cost.h): 0.25 holds two, 0.75 seven.
const CAPACITY = { A: '0.25', B: '0.25', C: '0.75' };

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// min / median / p90 / max of times in ms, in seconds.
const summary = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (f) => (s[Math.min(s.length - 1, Math.floor(f * s.length))] / 1000).toFixed(2);
  return `n=${s.length} min ${q(0)} median ${q(0.5)} p90 ${q(0.9)} max ${(s[s.length - 1] / 1000).toFixed(2)} s`;
};

let pg;
let nginx;
test.before(async () => {
  pg = await startPostgres();
  nginx = await startNginx({ stat: true });
});
test.after(async () => {
  if (nginx) await nginx.stop();
  if (pg) await pg.stop();
});

// A process and every process under it (a node and its media processes).
function tree(pid) {
  const children = new Map();
  for (const name of fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  const all = [pid];
  for (let i = 0; i < all.length; i++) all.push(...(children.get(all[i]) || []));
  return all;
}

const alive = (pid) => fs.existsSync(`/proc/${pid}`) && !/^State:\s+Z/m.test(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));

// Reads rtmp_stat every 100 ms: for each watched stream, its publishers over time.
function watchPublishers(streams) {
  const history = new Map(streams.map((s) => [s, []])); // [{at, id}] where the publisher changed
  const doubles = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const stat = await nginx.stat();
      const at = Date.now();
      for (const s of streams) {
        const pubs = stat.get(s) || [];
        if (pubs.length > 1) doubles.push(`${s} had publishers ${pubs.join(', ')} at ${at}`);
        const h = history.get(s);
        const id = pubs[0] || null;
        if (!h.length || h[h.length - 1].id !== id) h.push({ at, id });
      }
      await sleep(100);
    }
  })();
  return {
    history,
    doubles,
    current: (s) => { const h = history.get(s); return h.length ? h[h.length - 1].id : null; },
    async stop() { stopped = true; await loop; },
  };
}

async function scenario(run) {
  const url = pg.createDatabase();
  const api = await startServer({ args: ['--store', url, '--no-jobs', '--node-id', 'api'] });
  const nodes = { A: null, B: null, C: null };
  const publishers = [];
  let watch = null;
  try {
    const start = (name) => startWorker({ store: url, nodeId: `worker-${name.toLowerCase()}-${run}`, args: ['--capacity', CAPACITY[name]] });
    [nodes.A, nodes.B] = await Promise.all([start('A'), start('B')]);
    const sdk = v1Client(api.creds);
    // Watched from before the first submit: each output's first publisher is its first packet.
    watch = watchPublishers([0, 1, 2, 3, 4, 5].map((i) => `origin/out-${run}-${i}`));
    const { TemplateId } = await sdk.call('CreateLiveTranscodeTemplate', { Name: `failover-${run}`, Type: 'normal', TemplateConfig: JSON.stringify(JOB_TEMPLATE) });
    const jobs = [];
    const submit = async (i) => {
      const input = nginx.url(`src-${run}-${i}`);
      publishers.push(publish(input, { seconds: 600, size: '256x144', rate: 10 }));
      const stream = `origin/out-${run}-${i}`;
      await sleep(300);
      const submittedAt = Date.now();
      const { JobId } = await sdk.call('SubmitLiveTranscodeJob', {
        Name: `failover-${run}-${i}`, TemplateId, StartMode: '0',
        StreamInput: JSON.stringify({ Type: 'rtmp', InputUrl: input }),
        TranscodeOutput: JSON.stringify({ Type: 'rtmp', OutputUrl: nginx.url(`out-${run}-${i}`, 'origin') }),
      });
      jobs.push({ id: JobId, stream, url: nginx.url(`out-${run}-${i}`, 'origin'), submittedAt });
    };
    const nodeOf = async (job) => (await sdk.call('GetLiveTranscodeJob', { JobId: job.id })).Job.Node;
    const placement = async () => {
      const by = { A: [], B: [], C: [] };
      for (const j of jobs) {
        const node = await nodeOf(j);
        for (const n of Object.keys(by)) if (nodes[n] && node === nodes[n].nodeId) by[n].push(j);
      }
      return by;
    };
    const pushing = async (list) => {
      const stat = await nginx.stat();
      return list.every((j) => (stat.get(j.stream) || []).length === 1);
    };
    // Four jobs fill A and B; then C starts and takes the last two.
    for (let i = 0; i < 4; i++) await submit(i);
    await until('A and B hold two jobs each, all pushing', async () => {
      const by = await placement();
      return by.A.length === 2 && by.B.length === 2 && (await pushing(jobs));
    }, 30000);
    nodes.C = await start('C');
    for (let i = 4; i < 6; i++) await submit(i);
    await until('six jobs pushing, two on each worker', async () => {
      const by = await placement();
      return by.A.length === 2 && by.B.length === 2 && by.C.length === 2 && (await pushing(jobs)) &&
        jobs.every((j) => watch.current(j.stream));
    }, 30000);
    const before = await placement();
    const firstPacket = jobs.map((j) => watch.history.get(j.stream).find((h) => h.id).at - j.submittedAt);
    await sleep(1000);

    // Moved: the job names C and its output has a publisher other than before t0.
    const movedAt = async (list, t0, what) => {
      const publisherBefore = new Map(list.map((j) => [j.id, watch.history.get(j.stream).filter((h) => h.at <= t0).pop().id]));
      const times = new Map();
      await until(what, async () => {
        for (const j of list) {
          if (times.has(j.id)) continue;
          const id = watch.current(j.stream);
          if (id && id !== publisherBefore.get(j.id) && (await nodeOf(j)) === nodes.C.nodeId) {
            times.set(j.id, watch.history.get(j.stream).find((h) => h.id === id).at - t0);
          }
        }
        return times.size === list.length;
      }, 30000, 100);
      return [...times.values()];
    };

    // 1. SIGKILL A.
    const killedAt = Date.now();
    nodes.A.proc.kill('SIGKILL');
    const killTimes = await movedAt(before.A, killedAt, 'A\'s two jobs pushing from C');
    const p = await probe(before.A[0].url, { seconds: 2 });
    assert.ok(p.streams.some((s) => s.codec_type === 'video' && s.height === 128), JSON.stringify(p.streams));
    for (const pid of tree(nodes.A.proc.pid).slice(1)) assert.ok(!alive(pid), `A's media process ${pid} is gone`);

    // 2. SIGSTOP B and its media processes (a paused machine) for longer than the lease.
    const paused = tree(nodes.B.proc.pid);
    assert.ok(paused.length >= 2, 'B runs media processes');
    const pausedAt = Date.now();
    for (const pid of paused) process.kill(pid, 'SIGSTOP');
    let stopTimes;
    try {
      stopTimes = await movedAt(before.B, pausedAt, 'B\'s two jobs pushing from C');
      await sleep(Math.max(0, pausedAt + LEASE_MS + 4000 - Date.now()));
    } finally {
      for (const pid of paused) process.kill(pid, 'SIGCONT');
    }
    const wokeAt = Date.now();
    const publishersAtWake = new Map(jobs.map((j) => [j.stream, watch.current(j.stream)]));
    await until('B\'s media processes gone after it woke', async () => paused.slice(1).every((pid) => !alive(pid)), 10000);
    await sleep(3000);
    await watch.stop();
    // Since B woke, no output changed publisher: B pushed nothing again.
    for (const j of jobs) {
      const changes = watch.history.get(j.stream).filter((h) => h.at > wokeAt);
      assert.deepEqual(changes, [], `${j.stream} changed publisher after B woke`);
      assert.equal(watch.current(j.stream), publishersAtWake.get(j.stream));
      assert.ok(watch.current(j.stream), `${j.stream} is pushed`);
    }
    assert.ok(alive(nodes.B.proc.pid), 'B itself runs on');
    // B learns it either from its own clock (lease_expired) or, when SIGSTOP caught it inside a
    // heartbeat, from that heartbeat's answer once it wakes (lease_lost): both are a clean loss.
    assert.match(nodes.B.log(), /event=lease_(expired|lost) job_id=/, "B saw its leases run out");
    // Each output changed publisher exactly once per move, never two at a time, nginx never
    // refused a second publisher.
    assert.deepEqual(watch.doubles, []);
    for (const j of jobs) {
      const moved = before.A.includes(j) || before.B.includes(j);
      const ids = watch.history.get(j.stream).map((h) => h.id).filter(Boolean);
      assert.equal(ids.length, moved ? 2 : 1, `${j.stream}: publishers ${ids.join(' → ')}`);
    }
    assert.doesNotMatch(nginx.errorLog(), /already publishing/);
    const final = await placement();
    assert.deepEqual([final.B.length, final.C.length], [0, 6]);
    return { killTimes, stopTimes, firstPacket };
  } finally {
    if (watch) await watch.stop();
    for (const p of publishers) p.stop();
    for (const n of Object.values(nodes)) if (n) await n.stop('SIGKILL');
    await api.stop();
  }
}

test(`a dead worker's jobs run elsewhere within ${KILL_BOUND_MS / 1000} s, a paused one's within ${STOP_BOUND_MS / 1000} s, and no job is pushed twice (${RUNS} run(s))`,
  { timeout: 120000 * RUNS }, async () => {
    const kill = [];
    const stop = [];
    const first = [];
    for (let run = 1; run <= RUNS; run++) {
      const r = await scenario(run);
      kill.push(...r.killTimes);
      stop.push(...r.stopTimes);
      first.push(...r.firstPacket);
      console.log(`run ${run}: SIGKILL → pushing again from C after ${r.killTimes.map((t) => (t / 1000).toFixed(2)).join(', ')} s; ` +
        `SIGSTOP → ${r.stopTimes.map((t) => (t / 1000).toFixed(2)).join(', ')} s; ` +
        `submit → first packet ${r.firstPacket.map((t) => (t / 1000).toFixed(2)).join(', ')} s`);
    }
    console.log(`failover after SIGKILL: ${summary(kill)}; after SIGSTOP: ${summary(stop)}; submit → first packet at the origin: ${summary(first)}`);
    for (const t of kill) assert.ok(t <= KILL_BOUND_MS, `a job of the killed worker took ${t} ms to run elsewhere`);
    for (const t of stop) assert.ok(t <= STOP_BOUND_MS, `a job of the paused worker took ${t} ms to run elsewhere`);
    for (const t of first) assert.ok(t <= FIRST_BOUND_MS, `a job's first packet reached the origin ${t} ms after its submit`);
  });

// A TCP proxy to PostgreSQL that can be cut (every connection closed, new ones refused) and
// mended: a network partition between one node and the database.
async function pgProxy(port) {
  const sockets = new Set();
  let open = true;
  const server = net.createServer((client) => {
    if (!open) return client.destroy();
    const upstream = net.connect(port, '127.0.0.1');
    for (const [a, b] of [[client, upstream], [upstream, client]]) {
      sockets.add(a);
      a.on('error', () => b.destroy());
      a.on('close', () => { sockets.delete(a); b.destroy(); });
      a.pipe(b);
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: server.address().port,
    cut() { open = false; for (const s of sockets) s.destroy(); },
    mend() { open = true; },
    close() { open = false; for (const s of sockets) s.destroy(); server.close(); },
  };
}

function health(port) {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/healthz' }, (res) => {
      let b = '';
      res.on('data', (c) => (b += c));
      res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(b) }));
    }).on('error', reject);
  });
}

test('a worker cut off from PostgreSQL stops pushing within the lease, and takes its job again when it is back', { timeout: 90000 }, async () => {
  const url = pg.createDatabase();
  const api = await startServer({ args: ['--store', url, '--no-jobs', '--node-id', 'api'] });
  const dbPort = Number(new URL(url).port);
  const proxy = await pgProxy(dbPort);
  const viaProxy = url.replace(`:${dbPort}/`, `:${proxy.port}/`);
  // A short lease keeps the test short; the default's figures are those of the test above.
  const LEASE = 3000;
  const worker = await startWorker({ store: viaProxy, nodeId: 'cut-off', args: ['--capacity', '1', '--lease-ms', String(LEASE), '--heartbeat-ms', '1000'] });
  const input = nginx.url('partition-src');
  const pub = publish(input, { seconds: 120, size: '256x144', rate: 10 });
  try {
    const sdk = v1Client(api.creds);
    const { TemplateId } = await sdk.call('CreateLiveTranscodeTemplate', { Name: 'partition', Type: 'normal', TemplateConfig: JSON.stringify(JOB_TEMPLATE) });
    await sleep(300);
    const { JobId } = await sdk.call('SubmitLiveTranscodeJob', {
      Name: 'partition', TemplateId, StartMode: '0',
      StreamInput: JSON.stringify({ Type: 'rtmp', InputUrl: input }),
      TranscodeOutput: JSON.stringify({ Type: 'rtmp', OutputUrl: nginx.url('partition-out', 'origin') }),
    });
    const publisher = async () => ((await nginx.stat()).get('origin/partition-out') || [])[0];
    await until('the job pushing from the worker', async () => (await publisher()) &&
      (await sdk.call('GetLiveTranscodeJob', { JobId })).Job.Node === 'cut-off', 30000);
    const first = await publisher();
    assert.equal((await health(worker.port)).status, 200);

    const cutAt = Date.now();
    proxy.cut();
    await until('the output stopped', async () => !(await publisher()), 15000, 100);
    const stoppedAfter = Date.now() - cutAt;
    console.log(`cut off from PostgreSQL: the output stopped ${stoppedAfter} ms after the cut (lease ${LEASE} ms)`);
    // The lease runs from the last heartbeat (before the cut); the process cut its output a
    // margin before it ran out.
    assert.ok(stoppedAfter <= LEASE, `the output went on for ${stoppedAfter} ms after the cut`);
    await until('/healthz says the store is out of reach', async () => (await health(worker.port)).status === 503, 10000);
    assert.equal((await health(worker.port)).body.Status, 'store unreachable');

    proxy.mend();
    await until('the job pushing again from the worker', async () => {
      const p = await publisher();
      return p && p !== first;
    }, 30000);
    assert.equal((await health(worker.port)).status, 200);
    const job = (await sdk.call('GetLiveTranscodeJob', { JobId })).Job;
    assert.equal(job.Node, 'cut-off');
    // Its process said why it stopped, and the job was assigned anew once the store was back.
    const events = job.Events.map((e) => `${e.Event}:${e.Detail || ''}`);
    assert.ok(events.some((e) => /^failed:.*lease on these jobs ran out/.test(e)), events.join(', '));
    // Assigned twice, the second time after its expired lease (a heartbeat never revives one):
    // one claim, one event.
    assert.equal(events.filter((e) => /^assigned:node cut-off( \(the lease of node cut-off expired\))?$/.test(e)).length, 2,
      events.join(', '));
    assert.match(worker.log(), /event=lease_expired job_id=/);
  } finally {
    pub.stop();
    await worker.stop('SIGKILL');
    proxy.close();
    await api.stop();
  }
});

// A worker whose TCP connections to PostgreSQL are cut (the proxy closes them, refuses new ones):
// its output stops at once and its job runs on another worker; cut → pushing again from the
// other worker, FAILOVER_RUNS times. The goal is the frozen worker's (lease + 1.5 s).
async function cutScenario(run) {
  const url = pg.createDatabase();
  const api = await startServer({ args: ['--store', url, '--no-jobs', '--node-id', 'api'] });
  const dbPort = Number(new URL(url).port);
  const proxy = await pgProxy(dbPort);
  const nodes = [];
  const input = nginx.url(`cut-src-${run}`);
  const stream = `origin/cut-out-${run}`;
  const pub = publish(input, { seconds: 120, size: '256x144', rate: 10 });
  const watch = watchPublishers([stream]);
  try {
    nodes.push(await startWorker({ store: url.replace(`:${dbPort}/`, `:${proxy.port}/`), nodeId: `cut-x-${run}`, args: ['--capacity', '1'] }));
    const sdk = v1Client(api.creds);
    const { TemplateId } = await sdk.call('CreateLiveTranscodeTemplate', { Name: `cut-${run}`, Type: 'normal', TemplateConfig: JSON.stringify(JOB_TEMPLATE) });
    await sleep(300);
    const { JobId } = await sdk.call('SubmitLiveTranscodeJob', {
      Name: `cut-${run}`, TemplateId, StartMode: '0',
      StreamInput: JSON.stringify({ Type: 'rtmp', InputUrl: input }),
      TranscodeOutput: JSON.stringify({ Type: 'rtmp', OutputUrl: nginx.url(`cut-out-${run}`, 'origin') }),
    });
    const nodeOf = async () => (await sdk.call('GetLiveTranscodeJob', { JobId })).Job.Node;
    await until('the job pushing from the worker to be cut off', async () => watch.current(stream) && (await nodeOf()) === `cut-x-${run}`, 30000);
    nodes.push(await startWorker({ store: url, nodeId: `cut-y-${run}`, args: ['--capacity', '1'] }));
    await sleep(1500); // y's first heartbeat and presence: a member of the cluster
    const first = watch.current(stream);
    const cutAt = Date.now();
    proxy.cut();
    await until('the job pushing from the other worker', async () => {
      const id = watch.current(stream);
      return id && id !== first && (await nodeOf()) === `cut-y-${run}`;
    }, 30000, 100);
    const h = watch.history.get(stream);
    const stopped = h.find((e) => e.at > cutAt && e.id !== first);
    const back = h.find((e) => e.at > cutAt && e.id && e.id !== first);
    await sleep(1500);
    await watch.stop();
    assert.deepEqual(watch.doubles, []);
    assert.deepEqual(h.map((e) => e.id).filter(Boolean), [first, back.id], 'one move, no second publisher');
    return { stoppedMs: stopped.at - cutAt, backMs: back.at - cutAt };
  } finally {
    await watch.stop();
    pub.stop();
    for (const n of nodes) await n.stop('SIGKILL');
    proxy.close();
    await api.stop();
  }
}

test(`a worker cut off from PostgreSQL stops pushing at once and its job runs elsewhere within ${STOP_BOUND_MS / 1000} s (${RUNS} run(s))`,
  { timeout: 60000 * RUNS }, async () => {
    const stopped = [];
    const back = [];
    for (let run = 1; run <= RUNS; run++) {
      const r = await cutScenario(run);
      stopped.push(r.stoppedMs);
      back.push(r.backMs);
      console.log(`cut run ${run}: the output stopped ${(r.stoppedMs / 1000).toFixed(2)} s after the cut, pushed again from the other worker after ${(r.backMs / 1000).toFixed(2)} s`);
    }
    console.log(`cut off from PostgreSQL: output stopped ${summary(stopped)}; back at the origin from another worker ${summary(back)}`);
    for (const t of stopped) assert.ok(t <= LEASE_MS, `the cut worker pushed on for ${t} ms`);
    for (const t of back) assert.ok(t <= STOP_BOUND_MS, `the cut worker's job took ${t} ms to run elsewhere`);
  });

// An API node (no jobs: no heartbeat to go by) says on /healthz whether its store answers.
test('an API node\'s /healthz turns 503 while PostgreSQL is out of reach, and 200 when it is back', { timeout: 60000 }, async () => {
  const url = pg.createDatabase();
  const dbPort = Number(new URL(url).port);
  const proxy = await pgProxy(dbPort);
  const api = await startServer({ args: ['--store', url.replace(`:${dbPort}/`, `:${proxy.port}/`), '--no-jobs', '--node-id', 'api-health'] });
  try {
    assert.deepEqual(await health(api.port), { status: 200, body: { Status: 'ok' } });
    proxy.cut();
    const down = await health(api.port);
    assert.equal(down.status, 503);
    assert.equal(down.body.Status, 'store unreachable');
    proxy.mend();
    await until('/healthz ok again', async () => (await health(api.port)).status === 200, 10000);
  } finally {
    proxy.close();
    await api.stop();
  }
});

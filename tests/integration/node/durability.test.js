// Durability under a crash: several clients (the official V3 SDK) send a storm of signed
// CreateLiveTranscodeTemplate, UpdateLiveTranscodeTemplate and SubmitLiveTranscodeJob calls;
// `floe serve` is SIGKILLed at a random moment and started again on the same store. Then every
// acknowledged write is there, and every record is whole: a template's Name and Bitrate were
// always written together (version k: Name …-vk, Bitrate 200 + k), a job's Name, input and
// output name the same submission, and each record comes from a call that was made. On SQLite
// and on PostgreSQL; and once with PostgreSQL itself killed (the server and every backend,
// SIGKILL) and restarted under a running Floe.
//
// DURABILITY_RUNS=20 (per store) gives the figures of bench/RESULTS.md; make test runs 1.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('./lib/server');
const { v3Client } = require('./lib/clients');
const { startPostgres } = require('./lib/postgres');

const RUNS = Number(process.env.DURABILITY_RUNS || 1);
const CLIENTS = 4;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const utc = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const config = (k) => JSON.stringify({ VideoParams: { Codec: 'H.264', Height: '240', Fps: '25', Bitrate: String(200 + k) } });
// Jobs start in a day: the storm writes records, no media runs.
const SERVE_ARGS = ['--no-jobs', '--max-jobs-per-account', '0', '--max-jobs', '0'];

let pg;
test.before(async () => {
  pg = await startPostgres();
});
test.after(async () => {
  if (pg) await pg.stop();
});

// What the clients were told, and what may have happened without them being told.
class Ledger {
  constructor() {
    this.templates = new Map(); // id → { name base, acked k, allowed: Set of k it may be at }
    this.maybeTemplates = new Set(); // name bases of creates without an answer
    this.jobs = new Map(); // name → acked id
    this.maybeJobs = new Set(); // names of submits without an answer
    this.counts = { create: 0, update: 0, submit: 0, unanswered: 0, refused: 0 };
  }
}

// One client: creates, updates its own templates, submits jobs, until `stop()` says so.
async function client(c, creds, ledger, running) {
  const sdk = v3Client(creds);
  const mine = [];
  for (let seq = 0; running(); seq++) {
    const pick = Math.random();
    const base = `d-${c}-${seq}`;
    // An update goes to a template whose state this client knows (after an unanswered update
    // of it, it is left alone).
    const known = mine.filter((id) => ledger.templates.get(id).allowed.size === 1);
    try {
      if (pick < 0.35 || (pick < 0.7 && !known.length)) {
        ledger.maybeTemplates.add(base);
        const { TemplateId } = await sdk.call('CreateLiveTranscodeTemplate', { Name: `${base}-v0`, Type: 'normal', TemplateConfig: config(0) });
        ledger.maybeTemplates.delete(base);
        ledger.templates.set(TemplateId, { base, acked: 0, allowed: new Set([0]) });
        mine.push(TemplateId);
        ledger.counts.create++;
      } else if (pick < 0.7) {
        const id = known[Math.floor(Math.random() * known.length)];
        const t = ledger.templates.get(id);
        const k = t.acked + 1;
        t.allowed.add(k);
        await sdk.call('UpdateLiveTranscodeTemplate', { TemplateId: id, Name: `${t.base}-v${k}`, TemplateConfig: config(k) });
        t.acked = k;
        t.allowed = new Set([k]);
        ledger.counts.update++;
      } else {
        const name = `j-${c}-${seq}`;
        ledger.maybeJobs.add(name);
        const { JobId } = await sdk.call('SubmitLiveTranscodeJob', {
          Name: name, TemplateId: '00000000000000000000000000000360', StartMode: '1',
          StreamInput: JSON.stringify({ Type: 'rtmp', InputUrl: `rtmp://127.0.0.1:1935/in/${name}` }),
          TranscodeOutput: JSON.stringify({ Type: 'rtmp', OutputUrl: `rtmp://127.0.0.1:1935/out/${name}` }),
          TimedConfig: JSON.stringify({ StartTime: utc(Date.now() + 86400e3) }),
        });
        ledger.maybeJobs.delete(name);
        ledger.jobs.set(name, JobId);
        ledger.counts.submit++;
      }
    } catch (e) {
      // No answer (the server died) or a refusal (ServiceUnavailable while the store is down):
      // the write may or may not have happened; the ledger keeps both possibilities.
      if (e.data && e.data.Code) ledger.counts.refused++;
      else ledger.counts.unanswered++;
      if (!running()) return;
      await sleep(20);
    }
  }
}

function storm(creds, ledger) {
  let on = true;
  const clients = [];
  for (let c = 0; c < CLIENTS; c++) clients.push(client(c, creds, ledger, () => on));
  return {
    halt() { on = false; }, // no new calls; those in flight go on
    async stop() { on = false; await Promise.all(clients); },
  };
}

async function listAll(sdk, action, key, extra = {}) {
  const all = [];
  for (let page = 1; ; page++) {
    const r = await sdk.call(action, { ...extra, PageNo: String(page), PageSize: '100' });
    all.push(...r[key]);
    if (all.length >= r.TotalCount || !r[key].length) return all;
  }
}

// Every acknowledged write is there and every record is whole and accounted for.
async function verify(creds, ledger) {
  const sdk = v3Client(creds);
  const problems = [];
  const templates = await listAll(sdk, 'ListLiveTranscodeTemplates', 'TemplateContentList', { Category: 'customized' });
  const byId = new Map(templates.map((t) => [t.TemplateId, t]));
  let found = 0;
  for (const [id, t] of ledger.templates) {
    const got = byId.get(id);
    if (!got) { problems.push(`acknowledged template ${id} (${t.base}) is missing`); continue; }
    found++;
  }
  for (const t of templates) {
    const m = /^(d-\d+-\d+)-v(\d+)$/.exec(t.Name);
    const full = (await sdk.call('GetLiveTranscodeTemplate', { TemplateId: t.TemplateId })).TemplateContent;
    const bitrate = Number(full.TemplateConfig.VideoParams.Bitrate);
    if (!m || bitrate !== 200 + Number(m[2])) { problems.push(`template ${t.TemplateId} is half-written: ${t.Name}, Bitrate ${bitrate}`); continue; }
    const known = ledger.templates.get(t.TemplateId);
    if (known) {
      if (!known.allowed.has(Number(m[2]))) problems.push(`template ${t.Name}: version ${m[2]}, acknowledged ${known.acked}`);
    } else if (!(ledger.maybeTemplates.has(m[1]) && m[2] === '0')) {
      problems.push(`template ${t.Name} comes from no call`);
    }
  }
  const jobs = await listAll(sdk, 'ListLiveTranscodeJobs', 'JobList');
  const jobsByName = new Map(jobs.map((j) => [j.Name, j]));
  for (const [name, id] of ledger.jobs) {
    const got = jobsByName.get(name);
    if (!got || got.JobId !== id) problems.push(`acknowledged job ${name} (${id}) is missing`);
    else found++;
  }
  for (const j of jobs) {
    const full = (await sdk.call('GetLiveTranscodeJob', { JobId: j.JobId })).Job;
    const out = full.OutputStream.StreamInfos[0].OutputUrl;
    const input = full.StreamInput.InputUrl;
    if (out !== `rtmp://127.0.0.1:1935/out/${j.Name}` || input !== `rtmp://127.0.0.1:1935/in/${j.Name}` || full.TemplateId !== '00000000000000000000000000000360') {
      problems.push(`job ${j.JobId} is half-written: ${j.Name}, ${input}, ${out}`);
    }
    if (ledger.jobs.get(j.Name) !== j.JobId && !ledger.maybeJobs.has(j.Name)) problems.push(`job ${j.Name} comes from no call`);
  }
  return { problems, found, records: templates.length + jobs.length };
}

async function crashRun(store) {
  const opts = store ? { args: ['--store', store, ...SERVE_ARGS] } : { args: SERVE_ARGS };
  let server = await startServer(opts);
  const ledger = new Ledger();
  const s = storm(server.creds, ledger);
  await sleep(300 + Math.random() * 1200);
  s.halt(); // the calls in flight now are the ones the crash interrupts
  await server.stop('SIGKILL');
  await s.stop();
  server = await startServer({ ...opts, dataDir: server.dataDir });
  try {
    return { ledger, ...(await verify(server.creds, ledger)) };
  } finally {
    await server.stop();
  }
}

function report(what, results) {
  const sum = (f) => results.reduce((a, r) => a + f(r), 0);
  const line = `${what}: ${results.length} runs; acknowledged ${sum((r) => r.ledger.counts.create)} creates, ` +
    `${sum((r) => r.ledger.counts.update)} updates, ${sum((r) => r.ledger.counts.submit)} submits; ` +
    `${sum((r) => r.ledger.counts.unanswered)} calls in flight at the crash (no answer), ${sum((r) => r.ledger.counts.refused)} refused; ` +
    `acknowledged found after restart ${sum((r) => r.found)}; lost or half-written ${sum((r) => r.problems.length)}`;
  console.log(line);
  return line;
}

test(`SQLite: every acknowledged write survives a SIGKILL at a random moment, nothing is half-written (${RUNS} runs)`, { timeout: 60000 * RUNS }, async () => {
  const results = [];
  for (let i = 0; i < RUNS; i++) results.push(await crashRun(null));
  report('SQLite', results);
  for (const r of results) assert.deepEqual(r.problems, []);
  for (const r of results) assert.ok(r.ledger.counts.create + r.ledger.counts.submit > 10, 'the storm wrote');
});

test(`PostgreSQL: every acknowledged write survives a SIGKILL at a random moment, nothing is half-written (${RUNS} runs)`, { timeout: 60000 * RUNS }, async () => {
  const results = [];
  for (let i = 0; i < RUNS; i++) results.push(await crashRun(pg.createDatabase()));
  report('PostgreSQL', results);
  for (const r of results) assert.deepEqual(r.problems, []);
  for (const r of results) assert.ok(r.ledger.counts.create + r.ledger.counts.submit > 10, 'the storm wrote');
});

test('PostgreSQL killed and restarted under a running Floe: nothing acknowledged is lost, Floe serves again', { timeout: 90000 }, async () => {
  const store = pg.createDatabase();
  let server = await startServer({ args: ['--store', store, ...SERVE_ARGS] });
  try {
    const ledger = new Ledger();
    const s = storm(server.creds, ledger);
    await sleep(500 + Math.random() * 1000);
    const before = { ...ledger.counts };
    await pg.crashAndRestart({ downMs: 1000 });
    // Floe answered ServiceUnavailable meanwhile and writes again once PostgreSQL is back.
    const acked = () => ledger.counts.create + ledger.counts.update + ledger.counts.submit;
    const afterRestart = acked();
    const { until } = require('./lib/until');
    await until('writes acknowledged again', async () => acked() > afterRestart + 20, 20000);
    await s.stop();
    const r = { ledger, ...(await verify(server.creds, ledger)) };
    report('PostgreSQL killed', [r]);
    assert.deepEqual(r.problems, []);
    assert.ok(before.create + before.submit > 10, 'the storm wrote before the crash');
    // And the same after Floe itself restarts on it.
    await server.stop();
    server = await startServer({ args: ['--store', store, ...SERVE_ARGS], dataDir: server.dataDir });
    assert.deepEqual((await verify(server.creds, ledger)).problems, []);
  } finally {
    await server.stop();
  }
});

// Hostile soak (issue 21): HOSTILE_SECONDS (default 600) of what a hostile tenant sends, against
// one `floe serve` on SQLite with small template and stored-job quotas (300 each):
//  - unauthenticated requests with invalid UTF-8 under ever new parameter names, unknown actions
//    and bad signatures (each would once have been a new /metrics series);
//  - a flood of CreateLiveTranscodeTemplate from one key (past the quota: QuotaExceeded);
//  - a flood of submit + stop of timed jobs (past the stored-jobs quota: QuotaExceeded, then
//    the oldest stopped ones deleted and more submitted);
//  - preview requests: signed links of a running job fetched, and forged ones.
// Every 30 s: the server's RSS, open fds, /metrics size, the store's size on disk (floe.db
// with its WAL) and its rows per table. Nonces are kept for the 15-minute timestamp window of
// signed requests, so that table grows with the request rate until the window has passed.
// Printed: the curve (CSV), the first and last samples and the growth over the second half —
// flat is what the issue asks for.
//
// Usage: node bench/soak/hostile.js [BUILD_DIR]   Environment: HOSTILE_SECONDS (600).
'use strict';
const { execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');

const build = path.resolve(process.argv[2] || 'build');
process.env.FLOE_BIN = path.join(build, 'floe');
const lib = path.resolve(__dirname, '../../tests/integration/node/lib');
const { startServer } = require(path.join(lib, 'server'));
const { v1Client } = require(path.join(lib, 'clients'));
const { startNginx, publish } = require(path.join(lib, 'media'));
const { processUsage } = require('./proc');

const SECONDS = Number(process.env.HOSTILE_SECONDS || 600);
const DOMAIN = 'hostile-soak.floe.local';
const TPL = '00000000000000000000000000000360';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });

function get(port, urlPath) {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: urlPath, agent }, (res) => {
      let size = 0;
      res.on('data', (c) => (size += c.length));
      res.on('end', () => resolve({ status: res.statusCode, size }));
    });
    req.on('error', () => resolve({ status: 0, size: 0 }));
  });
}

function storeBytes(dataDir) {
  let total = 0;
  for (const f of fs.readdirSync(dataDir)) {
    if (f.startsWith('floe.db')) total += fs.statSync(path.join(dataDir, f)).size;
  }
  return total;
}

// Rows per table (the sqlite3 CLI, read-only, beside the running server).
const TABLES = ['templates', 'jobs', 'job_events', 'nonces'];
function rows(dataDir) {
  const sql = TABLES.map((t) => `SELECT '${t}', COUNT(*) FROM ${t};`).join(' ');
  const out = execFileSync('sqlite3', ['-readonly', path.join(dataDir, 'floe.db'), sql], { encoding: 'utf8' });
  return Object.fromEntries(out.trim().split('\n').map((l) => l.split('|')).map(([t, n]) => [t, Number(n)]));
}

async function sample(server) {
  return {
    ...processUsage(server.proc.pid),
    metricsBytes: (await get(server.metricsPort, '/metrics')).size,
    storeKb: Math.round(storeBytes(server.dataDir) / 1024),
    ...rows(server.dataDir),
  };
}

async function main() {
  const nginx = await startNginx();
  const server = await startServer({
    args: ['--live-center', `${DOMAIN}=rtmp://127.0.0.1:${nginx.port}`, '--metrics-listen', '127.0.0.1:0',
      '--max-templates-per-account', '300', '--max-stored-jobs-per-account', '300',
      '--auth-failure-rate', '1000000', '--auth-failure-burst', '1000000'],
  });
  const src = publish(nginx.url('hostile'), { seconds: SECONDS + 60, size: '640x360', rate: 25 });
  const sdk = v1Client(server.creds);
  const end = Date.now() + SECONDS * 1000;
  const t0 = Date.now();
  const counts = { badRequests: 0, templatesCreated: 0, templateQuota: 0, jobsSubmitted: 0, jobQuota: 0,
    previews: 0, forgedPreviews: 0, unexpected: 0 };
  const unexpected = (what, e) => {
    counts.unexpected++;
    if (counts.unexpected <= 20) console.error(`${Math.round((Date.now() - t0) / 1000)} s: ${what}: ${e.message || e}`);
  };
  const curve = [];
  const sampler = (async () => {
    while (Date.now() < end) {
      curve.push({ t: Math.round((Date.now() - t0) / 1000), ...(await sample(server)) });
      await sleep(30000);
    }
    curve.push({ t: Math.round((Date.now() - t0) / 1000), ...(await sample(server)) });
  })();

  // Never-seen parameter names with invalid UTF-8, unknown actions, forged signatures.
  const badNames = async () => {
    while (Date.now() < end) {
      const name = crypto.randomBytes(6).toString('hex');
      const paths = [
        `/?Action=ListLiveTranscodeTemplates&Version=2020-11-09&${name}=%FF%FE`,
        `/?Action=${name}&Version=2020-11-09`,
        `/?Action=ListLiveTranscodeTemplates&Version=2020-11-09&AccessKeyId=LTAI${name}&Signature=x&SignatureMethod=${name}`,
      ];
      for (const p of paths) {
        const r = await get(server.port, p);
        if (r.status >= 400 && r.status < 500) counts.badRequests++;
        else unexpected('bad request', `status ${r.status} for ${p}`);
      }
    }
  };

  // Templates until the quota, then some deleted, then again.
  const templates = async () => {
    const mine = [];
    while (Date.now() < end) {
      try {
        const { TemplateId } = await sdk.call('CreateLiveTranscodeTemplate', { Name: `flood-${mine.length}`, Type: 'origin' });
        mine.push(TemplateId);
        counts.templatesCreated++;
      } catch (e) {
        if (e.code !== 'QuotaExceeded.Templates') {
          unexpected('template', e);
          await sleep(100);
          continue;
        }
        counts.templateQuota++;
        for (const id of mine.splice(0, 50)) await sdk.call('DeleteLiveTranscodeTemplate', { TemplateId: id }).catch((err) => unexpected('delete', err));
      }
    }
  };

  // Timed jobs submitted and stopped at once: stored, never run.
  const jobs = async () => {
    while (Date.now() < end) {
      try {
        const { JobId } = await sdk.call('SubmitLiveTranscodeJob', {
          Name: 'flood', TemplateId: TPL, StartMode: '1',
          StreamInput: JSON.stringify({ Type: 'rtmp', InputUrl: nginx.url('never') }),
          TranscodeOutput: JSON.stringify({ Type: 'LiveCenter', DomainName: DOMAIN }),
          TimedConfig: JSON.stringify({ StartTime: new Date(Date.now() + 3600e3).toISOString() }),
        });
        counts.jobsSubmitted++;
        await sdk.call('SendLiveTranscodeJobCommand', { JobId, Command: 'stop' });
      } catch (e) {
        if (e.code !== 'QuotaExceeded.StoredJobs') {
          unexpected('job', e);
          await sleep(200);
          continue;
        }
        counts.jobQuota++;
        const { JobList } = await sdk.call('ListLiveTranscodeJobs', { Status: '2', PageSize: '50', SortBy: 'asc' }).catch(() => ({ JobList: [] }));
        for (const j of JobList || []) await sdk.call('DeleteLiveTranscodeJob', { JobId: j.JobId }).catch((err) => unexpected('delete job', err));
      }
    }
  };

  // One running job; its preview links fetched, and forged ones.
  const { JobId: live } = await sdk.call('SubmitLiveTranscodeJob', {
    Name: 'preview', TemplateId: TPL, StartMode: '0',
    StreamInput: JSON.stringify({ Type: 'rtmp', InputUrl: nginx.url('hostile') }),
    TranscodeOutput: JSON.stringify({ Type: 'LiveCenter', DomainName: DOMAIN }),
  });
  const previews = async () => {
    while (Date.now() < end) {
      try {
        const { Preview } = await sdk.call('GetLiveTranscodeJobPreview', { JobId: live });
        for (const u of [Preview.OutputUrl, Preview.InputUrl]) {
          const r = await get(server.port, u);
          if (r.status === 200) counts.previews++;
        }
        const forged = Preview.OutputUrl.replace(/\/[^/]+\/output\//, `/${crypto.randomBytes(16).toString('hex')}/output/`);
        const r = await get(server.port, forged);
        if (r.status === 404 || r.status === 403) counts.forgedPreviews++;
        else unexpected('forged preview', `status ${r.status}`);
      } catch (e) {
        unexpected('preview', e);
      }
      await sleep(50);
    }
  };

  await Promise.all([sampler, badNames(), badNames(), templates(), jobs(), previews()]);
  await sdk.call('SendLiveTranscodeJobCommand', { JobId: live, Command: 'stop' }).catch(() => {});
  src.stop();
  await server.stop();
  await nginx.stop();
  agent.destroy();

  console.log(`t_s,rss_kb,fds,metrics_bytes,store_kb,${TABLES.join(',')}`);
  for (const c of curve) console.log([c.t, c.rssKb, c.fds, c.metricsBytes, c.storeKb, ...TABLES.map((t) => c[t])].join(','));
  const f = curve[0];
  const l = curve[curve.length - 1];
  const half = curve.slice(Math.floor(curve.length / 2));
  const growth = (k) => half[half.length - 1][k] - half[0][k];
  console.log(`hostile soak ${SECONDS} s: ${JSON.stringify(counts)}`);
  for (const [k, unit] of [['rssKb', 'kB'], ['fds', ''], ['metricsBytes', 'B'], ['storeKb', 'kB'], ...TABLES.map((t) => [t, ' rows'])]) {
    console.log(`${k}: first ${f[k]}${unit}, max ${Math.max(...curve.map((c) => c[k]))}${unit}, last ${l[k]}${unit}; second half growth ${growth(k)}${unit}`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

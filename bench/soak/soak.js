// Soak: jobs starting and stopping under API load for SOAK_SECONDS (default 1800), with the
// server's resident memory and open fds sampled every 10 s. A live 640x360 source is published
// to a private nginx-rtmp; every 5 s a job is submitted on it with a system template (at most
// three run at once, the oldest is stopped and deleted), while two signed clients keep calling
// List/Get/Create/Delete. At the end: the curve (CSV), and first, peak and last RSS and fds,
// with the growth over the second half (what a leak would show).
//
// Usage: node bench/soak/soak.js [BUILD_DIR]   Environment: SOAK_SECONDS (1800).
'use strict';
const path = require('node:path');

const build = path.resolve(process.argv[2] || 'build');
process.env.FLOE_BIN = path.join(build, 'floe');
const lib = path.resolve(__dirname, '../../tests/integration/node/lib');
const { startServer } = require(path.join(lib, 'server'));
const { v1Client, v3Client } = require(path.join(lib, 'clients'));
const { startNginx, publish } = require(path.join(lib, 'media'));
const { processUsage } = require('./proc');

const SECONDS = Number(process.env.SOAK_SECONDS || 1800);
const DOMAIN = 'soak.floe.local';
const TEMPLATES = ['00000000000000000000000000000360', '00000000000000000000000000000540'];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const nginx = await startNginx();
  const server = await startServer({ args: ['--live-center', `${DOMAIN}=rtmp://127.0.0.1:${nginx.port}`] });
  const src = publish(nginx.url('soak'), { seconds: SECONDS + 60, size: '640x360', rate: 25 });
  const sdk = v1Client(server.creds);
  const v3 = v3Client(server.creds);
  const end = Date.now() + SECONDS * 1000;
  const counts = { submitted: 0, stopped: 0, api: 0, apiErrors: 0 };
  const curve = [];
  const t0 = Date.now();

  const sampler = (async () => {
    while (Date.now() < end) {
      curve.push({ t: Math.round((Date.now() - t0) / 1000), ...processUsage(server.proc.pid) });
      await sleep(10000);
    }
  })();
  const load = async (client) => {
    while (Date.now() < end) {
      try {
        const { TemplateId } = await client.call('CreateLiveTranscodeTemplate', { Name: 'soak', Type: 'origin' });
        await client.call('GetLiveTranscodeTemplate', { TemplateId });
        await client.call('ListLiveTranscodeTemplates', { PageSize: 20 });
        await client.call('ListLiveTranscodeJobs', {});
        await client.call('DeleteLiveTranscodeTemplate', { TemplateId });
        counts.api += 5;
      } catch (e) {
        counts.apiErrors++;
        console.error(`${Math.round((Date.now() - t0) / 1000)} s: API round failed: ${e.message}`);
      }
      await sleep(20);
    }
  };
  const jobs = (async () => {
    const running = [];
    let i = 0;
    while (Date.now() < end) {
      // A failed call is counted and reported with its time, not the end of the soak.
      try {
        const { JobId } = await sdk.call('SubmitLiveTranscodeJob', {
          Name: `soak-${i}`, TemplateId: TEMPLATES[i % 2], StartMode: '0',
          StreamInput: JSON.stringify({ Type: 'rtmp', InputUrl: nginx.url('soak') }),
          TranscodeOutput: JSON.stringify({ Type: 'LiveCenter', DomainName: DOMAIN }),
        });
        i++;
        counts.submitted++;
        running.push(JobId);
        if (running.length > 3) {
          const old = running.shift();
          await sdk.call('SendLiveTranscodeJobCommand', { JobId: old, Command: 'stop' });
          await sdk.call('DeleteLiveTranscodeJob', { JobId: old });
          counts.stopped++;
        }
      } catch (e) {
        counts.jobErrors = (counts.jobErrors || 0) + 1;
        console.error(`${Math.round((Date.now() - t0) / 1000)} s: job call failed: ${e.message}`);
      }
      await sleep(5000);
    }
    for (const id of running) await sdk.call('DeleteLiveTranscodeJob', { JobId: id });
  })();
  await Promise.all([sampler, jobs, load(sdk), load(v3)]);
  src.stop();
  const refused = (server.log().match(/event=connection_refused/g) || []).length;
  await server.stop();
  await nginx.stop();
  console.log(`server: ${refused} connection_refused lines, ${server.log().split('\n').length} log lines`);

  console.log('t_s,rss_kb,fds');
  for (const c of curve) console.log(`${c.t},${c.rssKb},${c.fds}`);
  const half = curve.slice(Math.floor(curve.length / 2));
  const peak = curve.reduce((m, c) => (c.rssKb > m.rssKb ? c : m), curve[0]);
  const f = curve[0];
  const l = curve[curve.length - 1];
  console.log(`soak ${SECONDS} s: ${counts.submitted} jobs submitted, ${counts.stopped} stopped and deleted, ` +
    `${counts.api} API calls (${counts.apiErrors} failed rounds, ${counts.jobErrors || 0} failed job calls)`);
  console.log(`rss first ${f.rssKb} kB, peak ${peak.rssKb} kB at ${peak.t} s, last ${l.rssKb} kB; ` +
    `second half growth ${half[half.length - 1].rssKb - half[0].rssKb} kB`);
  console.log(`fds first ${f.fds}, max ${Math.max(...curve.map((c) => c.fds))}, last ${l.fds}; ` +
    `second half growth ${half[half.length - 1].fds - half[0].fds}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

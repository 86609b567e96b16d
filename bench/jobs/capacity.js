// Capacity: how many concurrent 1080p30 → 720p30 (x264 veryfast) live jobs stay real time on this
// machine, Floe's jobs (submitted with the official SDK to `floe serve`, one `floe run-job`
// process each) next to the same number of `ffmpeg` CLI processes with the same settings.
//
// One 1080p30 H.264 + AAC source is published in real time to a private nginx-rtmp (looped, so
// it never ends); every transcoder pulls it and pushes 720p30 2500k to its own stream. After a
// warm-up, a packet probe per output (floe_latency_probe … pts) records each video packet's PTS
// and arrival for SECONDS. A transcoder is real time when, over the window, its output has at
// least 98 % of the frames real time asks for, its arrival − PTS drift grew by at most 500 ms
// (it is not falling behind), and (Floe) it made up or shed at most 2 % of them (a transcoder
// that cannot keep up loses input at nginx; Floe would fill the holes at constant rate).
//
// Usage: node bench/jobs/capacity.js [BUILD_DIR]   Environment: COUNTS (2,3,4,5), SECONDS (60),
// WARMUP (10).
'use strict';
const path = require('node:path');
const fs = require('node:fs');
const os = require('node:os');

const build = path.resolve(process.argv[2] || 'build');
process.env.FLOE_BIN = path.join(build, 'floe');
const lib = path.resolve(__dirname, '../../tests/integration/node/lib');
const { startServer } = require(path.join(lib, 'server'));
const { v1Client } = require(path.join(lib, 'clients'));
const { startNginx } = require(path.join(lib, 'media'));

const COUNTS = (process.env.COUNTS || '2,3,4,5').split(',').map(Number);
const SECONDS = Number(process.env.SECONDS || 60);
const WARMUP = Number(process.env.WARMUP || 10);
const FPS = 30;
const PROBE = path.join(build, 'bench', 'floe_latency_probe');
const TEMPLATE_720P = '00000000000000000000000000000720'; // system: 1280x720@30, 2500k, GOP 60, high, AAC 128k
const { sleep, run, measure: probeAll, realTime, makeSource, publishLooped } = require('./lib');

const measure = (urls) => probeAll(PROBE, urls, SECONDS, FPS);
const verdict = (m, fabricated = 0) => realTime(m, SECONDS, FPS, fabricated);

async function floeRound(nginx, input, n) {
  const server = await startServer();
  try {
    const sdk = v1Client(server.creds);
    const ids = [];
    const outs = [];
    for (let i = 0; i < n; i++) {
      outs.push(nginx.url(`floe-${n}-${i}`));
      ids.push((await sdk.call('SubmitLiveTranscodeJob', {
        Name: `cap-${i}`, TemplateId: TEMPLATE_720P, StartMode: '0',
        StreamInput: JSON.stringify({ Type: 'rtmp', InputUrl: input }),
        TranscodeOutput: JSON.stringify({ Type: 'rtmp', OutputUrl: outs[i] }),
      })).JobId);
    }
    await sleep(WARMUP * 1000);
    const stats = async () => Promise.all(ids.map(async (id) => {
      const s = (await sdk.call('GetLiveTranscodeJob', { JobId: id })).Job.Process?.Stats?.outputs?.[0];
      return s ? s.duplicated + s.shed : 0;
    }));
    const before = await stats();
    const m = await measure(outs);
    const after = await stats();
    return m.map((x, i) => ({ ...x, fabricated: after[i] - before[i], ok: verdict(x, after[i] - before[i]) }));
  } finally {
    await server.stop();
  }
}

async function cliRound(nginx, input, n) {
  const outs = [];
  const procs = [];
  for (let i = 0; i < n; i++) {
    outs.push(nginx.url(`cli-${n}-${i}`));
    procs.push(run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-i', input,
      '-vf', 'scale=1280:720:flags=bilinear,fps=30', '-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency',
      '-profile:v', 'high', '-b:v', '2500k', '-maxrate', '2500k', '-bufsize', '3750k', '-g', '60', '-keyint_min', '60',
      '-x264-params', 'scenecut=0:open-gop=0', '-c:a', 'aac', '-b:a', '128k', '-ar', '44100', '-ac', '2',
      '-f', 'flv', outs[i]]));
  }
  try {
    await sleep(WARMUP * 1000);
    return (await measure(outs)).map((x) => ({ ...x, fabricated: 0, ok: verdict(x) }));
  } finally {
    procs.forEach((p) => p.stop());
    await Promise.all(procs.map((p) => p.done));
  }
}

async function main() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'floe-bench-cap-'));
  const src = path.join(work, 'src.flv');
  makeSource(src);
  const nginx = await startNginx();
  const summary = [];
  console.log(`machine: ${os.cpus().length} cores; 1080p30 → 720p30 x264 veryfast 2500k + AAC; warm-up ${WARMUP} s, measured ${SECONDS} s`);
  try {
    for (const n of COUNTS) {
      const input = nginx.url(`src-${n}`);
      const pub = publishLooped(src, input);
      await sleep(2000);
      try {
        for (const [who, round] of [['floe', floeRound], ['ffmpeg-cli', cliRound]]) {
          const res = await round(nginx, input, n);
          const good = res.filter((r) => r.ok).length;
          const detail = res.map((r) => `${r.frames}f/${Math.round(r.driftMs)}ms${r.fabricated ? `/${r.fabricated}fab` : ''}`).join(' ');
          console.log(`${String(n).padStart(2)} jobs  ${who.padEnd(10)}  real time: ${good}/${n}   (frames/drift growth per output: ${detail})`);
          summary.push({ n, who, all: good === n });
        }
      } finally {
        pub.stop();
        await pub.done;
      }
    }
  } finally {
    await nginx.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
  for (const who of ['floe', 'ffmpeg-cli']) {
    const ok = summary.filter((s) => s.who === who && s.all).map((s) => s.n);
    console.log(`${who}: most concurrent jobs all in real time = ${ok.length ? Math.max(...ok) : 0}`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

// Ladders: N ladders of three jobs (system templates 1080p, 720p, 480p) on one live input each,
// Floe's jobs (submitted with the official SDK to `floe serve`; the three jobs of a ladder share
// one `floe run-job` process, one demux and one decode) next to the ffmpeg CLI's strongest
// equivalent: one process per ladder with a `split` filter and the same encoder settings.
//
// One 1080p30 H.264 (6 Mbit/s) + AAC source per ladder is published in real time to a private
// nginx-rtmp (looped). After a warm-up, for SECONDS: the CPU time (user + system, /proc) of
// every process of each side (Floe: `floe serve` and its run-job processes), and a packet probe
// per output for the real-time verdict of capacity.js. Prints CPU-seconds per ladder per
// SECONDS for both and the ratio Floe/CLI (target ≤ 1.0), and how many ladders stay real time.
//
// Usage: node bench/jobs/ladders.js [BUILD_DIR]   Environment: LADDERS (1,2), SECONDS (30),
// WARMUP (10), PREVIEW (1: floe serve as it runs by default, writing the console's HLS
// previews of each output and input; 0: with --no-preview, like for like with the CLI).
'use strict';
const path = require('node:path');
const fs = require('node:fs');
const os = require('node:os');
const { sleep, run, measure, realTime, cpuSeconds, pidsMatching, makeSource, publishLooped } = require('./lib');

const build = path.resolve(process.argv[2] || 'build');
process.env.FLOE_BIN = path.join(build, 'floe');
const lib = path.resolve(__dirname, '../../tests/integration/node/lib');
const { startServer } = require(path.join(lib, 'server'));
const { v1Client } = require(path.join(lib, 'clients'));
const { startNginx } = require(path.join(lib, 'media'));

const LADDERS = (process.env.LADDERS || '1,2').split(',').map(Number);
const SECONDS = Number(process.env.SECONDS || 30);
const WARMUP = Number(process.env.WARMUP || 10);
const PREVIEW = process.env.PREVIEW !== '0';
const FPS = 30;
const PROBE = path.join(build, 'bench', 'floe_latency_probe');
// The system templates (src/store/sqlite/migrations.cc) and what the CLI is given for each:
// the encoder settings Floe uses for them (src/media/encoder.cc).
const RUNGS = [
  { id: '00000000000000000000000000001080', w: 1920, h: 1080, kbps: 4500, profile: 'high', akbps: 128 },
  { id: '00000000000000000000000000000720', w: 1280, h: 720, kbps: 2500, profile: 'high', akbps: 128 },
  { id: '00000000000000000000000000000480', w: 854, h: 480, kbps: 1200, profile: 'main', akbps: 96 },
];

// CPU seconds the processes `pids()` use while `during` runs.
async function cpuDuring(pids, during) {
  const before = new Map(pids().map((p) => [p, cpuSeconds(p)]));
  const result = await during();
  let total = 0;
  for (const p of new Set([...before.keys(), ...pids()])) total += cpuSeconds(p) - (before.get(p) || 0);
  return { cpu: total, result };
}

async function floeRound(nginx, inputs) {
  const server = await startServer({ args: PREVIEW ? [] : ['--no-preview'] });
  try {
    const sdk = v1Client(server.creds);
    const outs = [];
    const ids = [];
    for (const [l, input] of inputs.entries()) {
      for (const r of RUNGS) {
        const out = nginx.url(`floe-${inputs.length}-${l}-${r.h}`);
        outs.push(out);
        ids.push((await sdk.call('SubmitLiveTranscodeJob', {
          Name: `ladder-${l}-${r.h}`, TemplateId: r.id, StartMode: '0',
          StreamInput: JSON.stringify({ Type: 'rtmp', InputUrl: input }),
          TranscodeOutput: JSON.stringify({ Type: 'rtmp', OutputUrl: out }),
        })).JobId);
      }
    }
    await sleep(WARMUP * 1000);
    const lockDir = path.join(server.dataDir, 'run');
    const pids = () => [server.proc.pid, ...pidsMatching(`--lock-dir ${lockDir}`)];
    const processes = pidsMatching(`--lock-dir ${lockDir}`).length;
    const fabricated = async () => Promise.all(ids.map(async (id) => {
      const s = (await sdk.call('GetLiveTranscodeJob', { JobId: id })).Job.Process?.Stats?.outputs?.[0];
      return s ? s.duplicated + s.shed : 0;
    }));
    const before = await fabricated();
    const serveBefore = cpuSeconds(server.proc.pid);
    const { cpu, result } = await cpuDuring(pids, () => measure(PROBE, outs, SECONDS, FPS));
    const serve = cpuSeconds(server.proc.pid) - serveBefore;
    const after = await fabricated();
    return { cpu, serve, processes, outputs: result.map((m, i) => ({ ...m, fabricated: after[i] - before[i] })) };
  } finally {
    await server.stop();
  }
}

async function cliRound(nginx, inputs) {
  const outs = [];
  const procs = [];
  for (const [l, input] of inputs.entries()) {
    const split = RUNGS.map((r, i) => `[v${i}]scale=${r.w}:${r.h}:flags=bilinear,fps=${FPS}[o${i}]`).join(';');
    const args = ['-hide_banner', '-loglevel', 'error', '-i', input,
      '-filter_complex', `[0:v]split=${RUNGS.length}${RUNGS.map((_, i) => `[v${i}]`).join('')};${split}`];
    for (const [i, r] of RUNGS.entries()) {
      const out = nginx.url(`cli-${inputs.length}-${l}-${r.h}`);
      outs.push(out);
      args.push('-map', `[o${i}]`, '-map', '0:a', '-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency',
        '-profile:v', r.profile, '-b:v', `${r.kbps}k`, '-maxrate', `${r.kbps}k`, '-bufsize', `${r.kbps * 3 / 2}k`,
        '-g', '60', '-keyint_min', '60', '-x264-params', 'scenecut=0:open-gop=0',
        '-c:a', 'aac', '-b:a', `${r.akbps}k`, '-ar', '44100', '-ac', '2', '-f', 'flv', out);
    }
    procs.push(run('ffmpeg', args));
  }
  try {
    await sleep(WARMUP * 1000);
    const { cpu, result } = await cpuDuring(() => procs.map((p) => p.proc.pid), () => measure(PROBE, outs, SECONDS, FPS));
    return { cpu, processes: procs.length, outputs: result.map((m) => ({ ...m, fabricated: 0 })) };
  } finally {
    procs.forEach((p) => p.stop());
    await Promise.all(procs.map((p) => p.done));
  }
}

async function main() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'floe-bench-ladder-'));
  const src = path.join(work, 'src.flv');
  makeSource(src);
  const nginx = await startNginx();
  console.log(`machine: ${os.cpus().length} cores (${os.cpus()[0].model}); ladders of 1080p/720p/480p x264 veryfast ` +
    `(4500k/2500k/1200k) + AAC from a live 1080p30 6 Mbit/s input each; warm-up ${WARMUP} s, measured ${SECONDS} s; ` +
    `Floe previews ${PREVIEW ? 'on (default)' : 'off (--no-preview)'}`);
  const held = { floe: 0, 'ffmpeg-cli': 0 };
  try {
    for (const n of LADDERS) {
      const inputs = [];
      const pubs = [];
      for (let l = 0; l < n; l++) {
        inputs.push(nginx.url(`src-${n}-${l}`));
        pubs.push(publishLooped(src, inputs[l]));
      }
      await sleep(2000);
      try {
        const res = {};
        for (const [who, round] of [['floe', floeRound], ['ffmpeg-cli', cliRound]]) {
          const r = await round(nginx, inputs);
          const ok = r.outputs.map((m) => realTime(m, SECONDS, FPS, m.fabricated));
          const ladders = [...Array(n).keys()].filter((l) => ok.slice(l * RUNGS.length, (l + 1) * RUNGS.length).every(Boolean)).length;
          if (ladders === n) held[who] = Math.max(held[who], n);
          const detail = r.outputs.map((m) => `${m.frames}f/${Math.round(m.driftMs)}ms${m.fabricated ? `/${m.fabricated}fab` : ''}`).join(' ');
          console.log(`${n} ladder(s)  ${who.padEnd(10)}  CPU ${(r.cpu / n).toFixed(2)} s per ladder per ${SECONDS} s ` +
            `(${r.processes} process(es)${r.serve !== undefined ? `, of which floe serve ${r.serve.toFixed(2)} s` : ''})  real time: ${ladders}/${n} ladders  (${detail})`);
          res[who] = r.cpu;
        }
        console.log(`${n} ladder(s)  CPU ratio floe/ffmpeg-cli = ${(res.floe / res['ffmpeg-cli']).toFixed(3)} (target ≤ 1.0)`);
      } finally {
        pubs.forEach((p) => p.stop());
        await Promise.all(pubs.map((p) => p.done));
      }
    }
  } finally {
    await nginx.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
  for (const who of Object.keys(held)) console.log(`${who}: most ladders all in real time = ${held[who]}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

// The three job families on one input: what a record job and a snapshot job add to a ladder.
// Floe: a ladder of three transcoding jobs (system templates 540p, 480p and 360p) submitted with
// the official SDK to `floe serve`; then a record job (m3u8 + flv + fragmented mp4) joins; then
// a snapshot job (a JPEG every 5 s, overwrite and sequence): all five in one `floe run-job`
// process, one pull and one decode. The reference: the ffmpeg CLI's one-process equivalent in
// the same three phases, a `split` ladder with the same encoder settings, then the same process
// also copying the input into a tee of hls + flv + mp4, then also writing a JPEG every 5 s
// (image2, a sequence and an -update 1 object).
//
// One 720p30 H.264 (3 Mbit/s) + AAC source is published in real time to a private nginx-rtmp
// (looped). Each phase: a warm-up, then for SECONDS the CPU time (user + system, /proc) of every
// process of the side (Floe: `floe serve` and its run-job process). REPEAT rounds of each side;
// prints each phase's CPU and what the record and the snapshot job add (median of the rounds,
// and as a share of one core), the ratio Floe/CLI, the media processes and how many connections
// read the input at nginx (rtmp_stat).
//
// With all five jobs running, Floe's media process is also measured thread by thread (its threads
// are named by what they do): the record job's and the snapshot job's own loops are their cost
// on top of the ladder, which the differences between phases cannot resolve.
//
// Each phase measures whole loops of the 20 s source (SECONDS a multiple of 20), so that every
// phase encodes the same pictures: x264's CPU varies with what it encodes more than a record
// job costs.
//
// Usage: node bench/jobs/families.js [BUILD_DIR]   Environment: SECONDS (40), WARMUP (10),
// REPEAT (3)
'use strict';
const path = require('node:path');
const fs = require('node:fs');
const os = require('node:os');
const { spawnSync } = require('node:child_process');
const { sleep, run, cpuSeconds, cpuByThread, pidsMatching, publishLooped } = require('./lib');

const build = path.resolve(process.argv[2] || 'build');
process.env.FLOE_BIN = path.join(build, 'floe');
const lib = path.resolve(__dirname, '../../tests/integration/node/lib');
const { startServer } = require(path.join(lib, 'server'));
const { v1Client } = require(path.join(lib, 'clients'));
const { startNginx } = require(path.join(lib, 'media'));
const { admin } = require(path.join(lib, 'admin'));

const SECONDS = Number(process.env.SECONDS || 40);
const WARMUP = Number(process.env.WARMUP || 10);
const REPEAT = Number(process.env.REPEAT || 3);
const PHASES = ['ladder', 'record', 'snapshot'];
// The system templates and the encoder settings Floe uses for them (src/media/encoder.cc).
const RUNGS = [
  { id: '00000000000000000000000000000540', w: 960, h: 540, kbps: 1500, profile: 'main', akbps: 96 },
  { id: '00000000000000000000000000000480', w: 854, h: 480, kbps: 1200, profile: 'main', akbps: 96 },
  { id: '00000000000000000000000000000360', w: 640, h: 360, kbps: 800, profile: 'main', akbps: 64 },
];
const FORMATS = [
  { Format: 'm3u8', SliceDuration: 10, SliceOssObjectPrefix: 'record/{JobId}/{UnixTimestamp}_{Sequence}' },
  { Format: 'flv' }, { Format: 'mp4' },
];

// CPU seconds the processes `pids()` use over SECONDS; with `threads`, also the CPU seconds of
// each thread name of `threads()`'s processes over the same window (Map name → seconds).
async function cpuOver(pids, threads) {
  const before = new Map(pids().map((p) => [p, cpuSeconds(p)]));
  const threadsBefore = threads ? cpuByThread(threads()) : null;
  await sleep(SECONDS * 1000);
  let total = 0;
  for (const p of new Set([...before.keys(), ...pids()])) total += cpuSeconds(p) - (before.get(p) || 0);
  if (!threads) return total;
  const byThread = new Map();
  for (const [name, s] of cpuByThread(threads())) byThread.set(name, s - (threadsBefore.get(name) || 0));
  return { total, byThread };
}

// How many clients read `stream` (app/name) at nginx.
async function readers(nginx, stream) {
  return (await nginx.clients()).get(stream)?.players ?? 0;
}

async function floeRound(nginx, input, stream) {
  const server = await startServer({ args: ['--no-preview'] });
  try {
    const { AccountId } = admin(server.dataDir, 'account', 'show-root');
    admin(server.dataDir, 'bucket', 'add', '--account', AccountId, '--name', 'bench-media');
    const sdk = v1Client(server.creds);
    const lockDir = path.join(server.dataDir, 'run');
    const pids = () => [server.proc.pid, ...pidsMatching(`--lock-dir ${lockDir}`)];
    const out = {};
    for (const r of RUNGS) {
      await sdk.call('SubmitLiveTranscodeJob', {
        Name: `ladder-${r.h}`, TemplateId: r.id, StartMode: '0',
        StreamInput: JSON.stringify({ Type: 'rtmp', InputUrl: input }),
        TranscodeOutput: JSON.stringify({ Type: 'rtmp', OutputUrl: nginx.url(`floe-${r.h}`) }),
      });
    }
    await sleep(WARMUP * 1000);
    out.ladder = await cpuOver(pids);
    const rec = await sdk.call('CreateLiveRecordTemplate', { Name: 'bench', RecordFormat: JSON.stringify(FORMATS) });
    await sdk.call('SubmitLiveRecordJob', {
      Name: 'record', TemplateId: rec.TemplateId, StreamInput: JSON.stringify({ Type: 'rtmp', Url: input }),
      RecordOutput: JSON.stringify({ Type: 'oss', Bucket: 'bench-media' }),
    });
    await sleep(WARMUP * 1000);
    out.record = await cpuOver(pids);
    const snap = await sdk.call('CreateLiveSnapshotTemplate', {
      TemplateName: 'bench', TimeInterval: 5, OverwriteFormat: 'snapshot/{JobId}.jpg',
      SequenceFormat: 'snapshot/{JobId}/{UnixTimestamp}.jpg',
    });
    await sdk.call('SubmitLiveSnapshotJob', {
      JobName: 'snapshot', TemplateId: snap.TemplateId, StreamInput: JSON.stringify({ Type: 'rtmp', Url: input }),
      SnapshotOutput: JSON.stringify({ StorageType: 'oss', Bucket: 'bench-media' }),
    });
    await sleep(WARMUP * 1000);
    out.processes = pidsMatching(`--lock-dir ${lockDir}`).length;
    out.connections = await readers(nginx, stream);
    // With all five jobs running: what the record and the snapshot job's own threads used (the
    // input's demux and decode they share with the ladder count as the ladder's).
    const last = await cpuOver(pids, () => pidsMatching(`--lock-dir ${lockDir}`));
    out.snapshot = last.total;
    out.threads = last.byThread;
    return out;
  } finally {
    await server.stop();
  }
}

function cliArgs(nginx, input, dir, phase) {
  const withSnapshots = phase === 'snapshot';
  const n = RUNGS.length + (withSnapshots ? 1 : 0);
  const branches = [...Array(n).keys()].map((i) => `[v${i}]`).join('');
  const scaled = RUNGS.map((r, i) => `[v${i}]scale=${r.w}:${r.h}:flags=bilinear,fps=30[o${i}]`);
  if (withSnapshots) scaled.push(`[v${RUNGS.length}]fps=1/5,split=2[s0][s1]`);
  const args = ['-hide_banner', '-loglevel', 'error', '-i', input,
    '-filter_complex', `[0:v]split=${n}${branches};${scaled.join(';')}`];
  for (const [i, r] of RUNGS.entries()) {
    args.push('-map', `[o${i}]`, '-map', '0:a', '-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency',
      '-profile:v', r.profile, '-b:v', `${r.kbps}k`, '-maxrate', `${r.kbps}k`, '-bufsize', `${r.kbps * 3 / 2}k`,
      '-g', '60', '-keyint_min', '60', '-x264-params', 'scenecut=0:open-gop=0',
      '-c:a', 'aac', '-b:a', `${r.akbps}k`, '-ar', '44100', '-ac', '2', '-f', 'flv', nginx.url(`cli-${r.h}`));
  }
  if (phase !== 'ladder') {
    args.push('-map', '0:v', '-map', '0:a', '-c', 'copy', '-f', 'tee',
      `[f=hls:hls_time=10:hls_list_size=0]${dir}/a.m3u8|[f=flv]${dir}/a.flv|` +
      `[f=mp4:movflags=frag_keyframe+empty_moov+default_base_moof]${dir}/a.mp4`);
  }
  if (withSnapshots) {
    args.push('-map', '[s0]', '-c:v', 'mjpeg', '-q:v', '3', '-f', 'image2', `${dir}/%d.jpg`);
    args.push('-map', '[s1]', '-c:v', 'mjpeg', '-q:v', '3', '-f', 'image2', '-update', '1', `${dir}/overwrite.jpg`);
  }
  return args;
}

async function cliRound(nginx, input, stream, work) {
  const out = { processes: 1 };
  for (const phase of PHASES) {
    const dir = fs.mkdtempSync(path.join(work, 'cli-'));
    const p = run('ffmpeg', cliArgs(nginx, input, dir, phase));
    try {
      await sleep(WARMUP * 1000);
      if (p.proc.exitCode !== null) throw new Error(`ffmpeg ended: ${(await p.done).err}`);
      if (phase === 'snapshot') out.connections = await readers(nginx, stream);
      out[phase] = await cpuOver(() => [p.proc.pid]);
    } finally {
      p.stop();
      await p.done;
    }
  }
  return out;
}

const median = (a) => [...a].sort((x, y) => x - y)[Math.floor((a.length - 1) / 2)];

async function main() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'floe-bench-families-'));
  const src = path.join(work, 'src.flv');
  console.error('generating 20 s of 720p30 input (looped while publishing)…');
  spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30',
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', '20', '-c:v', 'libx264', '-preset', 'veryfast',
    '-g', '60', '-b:v', '3M', '-c:a', 'aac', '-b:a', '128k', '-f', 'flv', src], { stdio: 'inherit' });
  const nginx = await startNginx({ stat: true });
  const input = nginx.url('families-src');
  const pub = publishLooped(src, input);
  console.log(`machine: ${os.cpus().length} cores (${os.cpus()[0].model}); a ladder of 540p/480p/360p x264 veryfast ` +
    `(1500k/1200k/800k) + AAC from a live 720p30 3 Mbit/s input, then with a record job (m3u8 + flv + mp4, by copy), ` +
    `then with a snapshot job (JPEG every 5 s, overwrite + sequence) too; each phase warm-up ${WARMUP} s, ` +
    `measured ${SECONDS} s; ${REPEAT} round(s) of each side`);
  try {
    await sleep(2000);
    const rounds = { floe: [], 'ffmpeg-cli': [] };
    for (let i = 0; i < REPEAT; i++) {
      rounds.floe.push(await floeRound(nginx, input, 'live/families-src'));
      rounds['ffmpeg-cli'].push(await cliRound(nginx, input, 'live/families-src', work));
    }
    const med = {};
    for (const [who, rs] of Object.entries(rounds)) {
      const m = {
        ladder: median(rs.map((r) => r.ladder)),
        record: median(rs.map((r) => r.record - r.ladder)),
        snapshot: median(rs.map((r) => r.snapshot - r.record)),
        all: median(rs.map((r) => r.snapshot)),
      };
      med[who] = m;
      const pct = (x) => `${(100 * x / SECONDS).toFixed(2)} %`;
      console.log(`${who.padEnd(10)}  runs (ladder / +record / +snapshot CPU-s per ${SECONDS} s): ` +
        rs.map((r) => `${r.ladder.toFixed(2)}/${r.record.toFixed(2)}/${r.snapshot.toFixed(2)}`).join(', '));
      console.log(`${who.padEnd(10)}  ladder ${m.ladder.toFixed(2)} CPU-s (${pct(m.ladder)} of a core); ` +
        `the record job adds ${m.record.toFixed(2)} (${pct(m.record)} of a core, target ≤ 2 %), ` +
        `the snapshot job ${m.snapshot.toFixed(2)} (${pct(m.snapshot)}, target ≤ 3 %); ` +
        `${rs[0].processes} process(es), ${rs[0].connections} connection(s) reading the input`);
    }
    // Floe's own threads: each job's loops measured apart, far below the noise of the phases'
    // differences (x264's CPU varies from round to round by more than a record job costs).
    const own = (prefix) => median(rounds.floe.map((r) => [...r.threads].filter(([n]) => n.startsWith(prefix))
      .reduce((a, [, s]) => a + s, 0)));
    const pct = (x) => `${(100 * x / SECONDS).toFixed(2)} %`;
    const rec = own('rec-');
    const shot = own('shot-');
    console.log(`floe threads (median, all five jobs running, CPU-s per ${SECONDS} s): record job's loops ${rec.toFixed(3)} ` +
      `(${pct(rec)} of a core, target ≤ 2 %), snapshot job's loops ${shot.toFixed(3)} (${pct(shot)}, target ≤ 3 %); ` +
      `every thread name (x264's workers carry the name of the thread that opened the encoder): ` +
      [...new Set(rounds.floe.flatMap((r) => [...r.threads.keys()]))]
        .map((n) => [n, median(rounds.floe.map((r) => r.threads.get(n) || 0))])
        .sort((a, b) => b[1] - a[1]).map(([n, s]) => `${n} ${s.toFixed(2)}`).join(', '));
    console.log(`CPU ratio floe/ffmpeg-cli: ladder ${(med.floe.ladder / med['ffmpeg-cli'].ladder).toFixed(3)}, ` +
      `ladder + record + snapshot ${(med.floe.all / med['ffmpeg-cli'].all).toFixed(3)} (target ≤ 1.0)`);
  } finally {
    pub.stop();
    await pub.done;
    await nginx.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

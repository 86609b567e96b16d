// What the job benchmarks share: child processes, the per-output real-time verdict (a packet
// probe per output), and CPU time read from /proc.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawn, spawnSync } = require('node:child_process');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function run(cmd, args) {
  const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout.on('data', (c) => (out += c));
  proc.stderr.on('data', (c) => (err += c));
  const done = new Promise((r) => proc.on('exit', (code) => r({ code, out, err })));
  return { proc, done, stop: () => proc.exitCode === null && proc.kill('SIGTERM') };
}

// Packets of one output (floe_latency_probe … pts: "pts_ms arrival_ms" lines) → frames and how
// much the arrival − PTS drift grew from the first 5 s to the last (ms).
function analyse(text, fps) {
  const rows = text.trim().split('\n').filter(Boolean).map((l) => l.split(' ').map(Number));
  if (rows.length < 10) return { frames: rows.length, driftMs: Infinity };
  const drift = rows.map(([pts, at]) => at - pts);
  const n = Math.min(5 * fps, Math.floor(rows.length / 4));
  const mean = (a) => a.reduce((x, y) => x + y, 0) / a.length;
  return { frames: rows.length, driftMs: mean(drift.slice(-n)) - mean(drift.slice(0, n)) };
}

// Probes every URL for `seconds` at once.
async function measure(probe, urls, seconds, fps) {
  const probes = urls.map((u) => run(probe, [u, String(seconds), 'pts']));
  return (await Promise.all(probes.map((p) => p.done))).map((r) => analyse(r.out, fps));
}

// Real time over the window: ≥ 98 % of the frames, drift grown ≤ 500 ms, ≤ 2 % made up or shed.
function realTime(m, seconds, fps, fabricated = 0) {
  return m.frames >= 0.98 * fps * seconds && m.driftMs <= 500 && fabricated <= 0.02 * fps * seconds;
}

// User + system CPU seconds a process has used so far (0 once it is gone).
function cpuSeconds(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
  } catch {
    return 0;
  }
}

// User + system CPU seconds the threads of `pids` have used so far, summed by thread name (the
// media process names its threads: input, decode, tx-enc, rec-mux, shot-enc, …; a codec's own
// workers inherit the name of the thread that started them).
function cpuByThread(pids) {
  const out = new Map();
  for (const pid of pids) {
    let tids = [];
    try {
      tids = fs.readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      try {
        const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        out.set(name, (out.get(name) || 0) + (Number(fields[11]) + Number(fields[12])) / 100);
      } catch {
        // the thread ended meanwhile
      }
    }
  }
  return out;
}

// The processes whose command line contains `needle`.
function pidsMatching(needle) {
  const out = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (fs.readFileSync(path.join('/proc', d, 'cmdline'), 'utf8').replace(/\0/g, ' ').includes(needle)) out.push(Number(d));
    } catch { /* gone */ }
  }
  return out;
}

// 20 s of 1080p30 H.264 (6 Mbit/s, GOP 60) + AAC as FLV at `file`: the live source of both
// job benchmarks.
function makeSource(file) {
  console.error('generating 20 s of 1080p30 input (looped while publishing)…');
  spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=1920x1080:rate=30',
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', '20', '-c:v', 'libx264', '-preset', 'veryfast',
    '-g', '60', '-b:v', '6M', '-c:a', 'aac', '-b:a', '128k', '-f', 'flv', file], { stdio: 'inherit' });
}

// Publishes `file` to `url` in real time, looped, until stopped.
function publishLooped(file, url) {
  return run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-re', '-stream_loop', '-1', '-i', file, '-c', 'copy', '-f', 'flv', url]);
}

module.exports = { sleep, run, analyse, measure, realTime, cpuSeconds, cpuByThread, pidsMatching, makeSource, publishLooped };

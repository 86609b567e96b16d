// Real media peers for the tests: nginx with the RTMP module on 127.0.0.1 (a private instance
// in a temp dir), an `ffmpeg -re` publisher of lavfi test sources, and ffprobe.
'use strict';
const { spawn, spawnSync, execFile } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { FLOE_BIN } = require('./server');

const RTMP_MODULE = '/usr/lib/nginx/modules/ngx_rtmp_module.so';

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

async function waitForPort(port, ms = 5000, host = '127.0.0.1') {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const ok = await new Promise((resolve) => {
      const s = net.connect(port, host, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listens on ${port}`);
}

// stat: also `rtmp_stat` on an HTTP port (nginx.stat() reads it) and an application `origin`
// that drops a publisher silent for 2 s, as an origin does (a paused node's connection).
// host: another loopback address (127.0.0.3: an origin the network policy does not allow).
async function startNginx({ port, stat = false, host = '127.0.0.1' } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'floe-nginx-'));
  fs.mkdirSync(path.join(dir, 'logs'));
  port = port || (await freePort());
  const httpPort = stat ? await freePort() : null;
  fs.writeFileSync(
    path.join(dir, 'nginx.conf'),
    `load_module ${RTMP_MODULE};
daemon off;
master_process off;
worker_processes 1;
error_log ${dir}/logs/error.log warn;
pid ${dir}/nginx.pid;
events { worker_connections 256; }
rtmp {
  server {
    listen ${host}:${port};
    chunk_size 4096;
    application live { live on; record off; }
    # nginx-rtmp reads Enhanced RTMP frames as non-keyframes: without wait_key off a player
    # would wait for a keyframe it never recognises.
    application ertmp { live on; record off; wait_key off; }
${stat ? '    application origin { live on; record off; drop_idle_publisher 2s; }' : ''}
  }
}
${stat ? `http {
  access_log off;
  client_body_temp_path ${dir}/tmp;
  server { listen ${host}:${httpPort}; location /stat { rtmp_stat all; } }
}` : ''}
`,
  );
  const proc = spawn('nginx', ['-p', dir, '-c', path.join(dir, 'nginx.conf')], { stdio: 'ignore' });
  await waitForPort(port, 5000, host);
  if (stat) await waitForPort(httpPort, 5000, host);
  const clients = async () => {
    const xml = await new Promise((resolve, reject) => {
      http.get({ host, port: httpPort, path: '/stat' }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve(body));
      }).on('error', reject);
    });
    const streams = new Map();
    for (const app of xml.matchAll(/<application>\s*<name>([^<]*)<\/name>([\s\S]*?)<\/application>/g)) {
      for (const st of app[2].matchAll(/<stream>\s*<name>([^<]*)<\/name>([\s\S]*?)<\/stream>/g)) {
        const all = [...st[2].matchAll(/<client>([\s\S]*?)<\/client>/g)].map((c) => c[1]);
        streams.set(`${app[1]}/${st[1]}`, {
          publishers: all.filter((c) => c.includes('<publishing/>')).map((c) => /<id>(\d+)<\/id>/.exec(c)[1]),
          players: all.filter((c) => !c.includes('<publishing/>')).length,
        });
      }
    }
    return streams;
  };
  return {
    port,
    host,
    url: (name, app = 'live') => `rtmp://${host}:${port}/${app}/${name}`,
    // rtmp_stat: per stream of every application, its publishers' client ids and its players.
    clients,
    async stat() {
      return new Map([...(await clients())].map(([name, c]) => [name, c.publishers]));
    },
    errorLog: () => fs.readFileSync(path.join(dir, 'logs/error.log'), 'utf8'),
    async stop() {
      if (proc.exitCode !== null) return;
      const done = new Promise((r) => proc.on('exit', r));
      proc.kill('SIGTERM');
      await done;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

// Publishes a live 1280x720@30 test pattern with a 48 kHz sine for `seconds`. `source` is a
// lavfi video source, with options of its own if wanted ('color=c=white').
function publish(url, { seconds = 10, size = '1280x720', rate = 30, source = 'testsrc2' } = {}) {
  const args = ['-hide_banner', '-loglevel', 'error', '-re',
    '-f', 'lavfi', '-i', `${source}${source.includes('=') ? ':' : '='}size=${size}:rate=${rate}`,
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-t', String(seconds),
    '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', String(rate),
    '-c:a', 'aac', '-b:a', '128k', '-f', 'flv', url];
  const proc = spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  proc.stderr.on('data', (c) => (err += c));
  return {
    proc,
    done: new Promise((r) => proc.on('exit', (code) => r({ code, err }))),
    stop() {
      if (proc.exitCode === null) proc.kill('SIGTERM');
    },
  };
}

// Runs `floe transcode` with templates written to temp files; resolves when it exits.
function transcode({ templates, input, outputs, hls, args = [] }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'floe-tpl-'));
  // Test peers live on loopback: let the network guard reach them, unless a test says otherwise.
  const allow = args.includes('--allow-net') ? [] : ['--allow-net', '127.0.0.0/8'];
  const cli = ['transcode', '--input', input, '--stats', ...allow, ...args];
  templates.forEach((t, i) => {
    const file = path.join(dir, `t${i}.json`);
    fs.writeFileSync(file, JSON.stringify(t));
    cli.push('--template', file, '--output', outputs[i]);
  });
  if (hls) cli.push('--hls', hls);
  const run = runFloe(cli);
  return { ...run, stats: run.lines };
}

// Runs `floe record` into `dir` with these RecordFormat entries; `files()` are the JSON lines
// it printed (one per closed file).
function record({ input, dir, formats, jobId = 'job1', args = [] }) {
  const run = runFloe(['record', '--input', input, '--dir', dir, '--allow-net', '127.0.0.0/8',
    '--job-id', jobId, '--record-format', JSON.stringify(formats), ...args]);
  return { ...run, files: run.lines };
}

// floe with `cli`: its process, the JSON lines of its stdout so far, its stderr, its end.
function runFloe(cli) {
  const proc = spawn(FLOE_BIN, cli, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout.on('data', (c) => (out += c));
  proc.stderr.on('data', (c) => (err += c));
  return {
    proc,
    lines: () => out.split('\n').filter(Boolean).map((l) => JSON.parse(l)),
    stderr: () => err,
    done: new Promise((r) => proc.on('exit', (code, signal) => r({ code, signal, out, err }))),
  };
}

// ffprobe of a live URL (or file): streams, and the video/audio packets of `seconds`.
function probe(url, { seconds = 6, timeoutMs = 20000, rwTimeoutMs = 10000 } = {}) {
  return new Promise((resolve, reject) => {
    execFile(
      'ffprobe',
      ['-hide_banner', '-v', 'error', '-rw_timeout', String(rwTimeoutMs * 1000), '-read_intervals', `%+${seconds}`,
        '-show_streams', '-show_packets', '-show_entries',
        'stream=index,codec_type,codec_name,profile,width,height,r_frame_rate,avg_frame_rate,sample_rate,channels:packet=stream_index,pts_time,dts_time,size,flags',
        '-of', 'json', url],
      { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) {
          const e = new Error(`ffprobe ${url}: ${err.message} ${stderr}`);
          e.killed = err.killed; // true when the test's own timeout ended it
          e.stderr = stderr;
          return reject(e);
        }
        resolve(JSON.parse(stdout));
      },
    );
  });
}

// Reads a live URL with ffprobe for up to `seconds` and returns every packet as it came.
function watch(url, seconds) {
  return new Promise((resolve) => {
    execFile(
      'ffprobe',
      ['-hide_banner', '-v', 'error', '-rw_timeout', '15000000', '-show_entries', 'packet=codec_type,stream_index,pts_time,flags:stream=index,codec_type', '-of', 'json', url],
      { timeout: seconds * 1000, maxBuffer: 64 * 1024 * 1024, killSignal: 'SIGINT' },
      (err, stdout) => {
        let packets = [];
        let streams = [];
        try {
          const j = JSON.parse(stdout);
          packets = j.packets || [];
          streams = j.streams || [];
        } catch {
          // ffprobe was stopped mid-JSON: recover the packet lines.
          const re = /"codec_type": "(\w+)",\s*"stream_index": (\d+),\s*"pts_time": "([\d.]+)"(?:,\s*"flags": "([^"]*)")?/g;
          let m;
          while ((m = re.exec(stdout))) {
            packets.push({ codec_type: m[1], stream_index: Number(m[2]), pts_time: m[3], flags: m[4] });
          }
        }
        resolve({ packets, streams });
      },
    );
  });
}

// A probe of arrival: reads a live URL with ffprobe for `seconds` and notes when each packet
// came (ms, monotonic), to measure how long a player would have waited. ffprobe's stdout is
// made unbuffered so that a packet's line leaves when ffprobe reads the packet.
function arrivals(url, seconds) {
  return new Promise((resolve) => {
    const proc = spawn('stdbuf', ['-o0', 'ffprobe', '-hide_banner', '-v', 'error', '-rw_timeout', '15000000', '-analyzeduration', '2000000',
      '-show_entries', 'packet=codec_type,pts_time,flags', '-of', 'csv=p=0', url], { stdio: ['ignore', 'pipe', 'ignore'] });
    const packets = [];
    let rest = '';
    proc.stdout.on('data', (chunk) => {
      const at = performance.now();
      const lines = (rest + chunk).split('\n');
      rest = lines.pop();
      for (const line of lines) {
        const [type, pts, flags] = line.split(',');
        if (type === 'video' || type === 'audio') packets.push({ at, type, pts: Number(pts), key: (flags || '').startsWith('K') });
      }
    });
    const timer = setTimeout(() => proc.kill('SIGINT'), seconds * 1000);
    proc.on('exit', () => {
      clearTimeout(timer);
      resolve(packets);
    });
  });
}

// The largest wait between two packets of `type` arriving (ms), and when it began (ms after
// `since`). The probe's first second is left out: ffprobe prints what it read while probing
// the streams in one go, which is its own start, not the output's.
function largestGap(packets, type = 'video', since = packets.length ? packets[0].at : 0) {
  const first = packets.length ? packets[0].at : 0;
  const p = packets.filter((x) => x.type === type && x.at >= first + 1000);
  let gap = 0;
  let at = 0;
  for (let i = 1; i < p.length; i++) {
    if (p[i].at - p[i - 1].at > gap) {
      gap = p[i].at - p[i - 1].at;
      at = p[i - 1].at - since;
    }
  }
  // From when (ms after `since`) to when the arrivals were measured.
  const from = p.length ? p[0].at - since : Infinity;
  const to = p.length ? p[p.length - 1].at - since : -Infinity;
  return { gap, at, packets: p.length, from, to };
}

// The mean luma (0–255) of one picture read from a live URL: tells test patterns apart.
function meanLuma(url) {
  return new Promise((resolve, reject) => {
    execFile('ffmpeg', ['-hide_banner', '-v', 'error', '-rw_timeout', '10000000', '-i', url, '-frames:v', '1',
      '-vf', 'scale=16:16,format=gray', '-f', 'rawvideo', '-'], { encoding: 'buffer', timeout: 20000 },
    (err, stdout) => {
      if (err || stdout.length !== 256) return reject(new Error(`no picture from ${url}: ${err && err.message}`));
      resolve(stdout.reduce((a, b) => a + b, 0) / 256);
    });
  });
}

// Summaries the tests assert on.
function summarize(p) {
  const out = {};
  for (const s of p.streams) {
    const pk = (p.packets || []).filter((x) => x.stream_index === s.index);
    const times = pk.map((x) => Number(x.pts_time)).filter((t) => !Number.isNaN(t));
    const span = times.length > 1 ? Math.max(...times) - Math.min(...times) : 0;
    const bytes = pk.reduce((a, x) => a + Number(x.size), 0);
    const info = { codec: s.codec_name, profile: s.profile, packets: pk.length, span,
      kbps: span > 0 ? (bytes * 8) / 1000 / span : 0 };
    if (s.codec_type === 'video') {
      Object.assign(info, { width: s.width, height: s.height, fps: s.r_frame_rate });
      const keys = [];
      pk.forEach((x, i) => x.flags.startsWith('K') && keys.push(i));
      info.keyframeGaps = keys.slice(1).map((k, i) => k - keys[i]);
      info.frameRate = span > 0 ? (pk.length - 1) / span : 0;
      out.video = info;
    } else if (s.codec_type === 'audio') {
      Object.assign(info, { sampleRate: Number(s.sample_rate), channels: s.channels });
      out.audio = info;
    }
  }
  return out;
}

function hasFfmpegTools() {
  return spawnSync('ffprobe', ['-version']).status === 0 && fs.existsSync(RTMP_MODULE);
}

// Asserts that nothing plays at `url`: ffprobe gives up by itself after its read timeout (nginx-rtmp
// holds a play of a stream nobody publishes), not killed by the test's own timeout.
async function expectNoStream(url) {
  const assert = require('node:assert/strict');
  await assert.rejects(probe(url, { seconds: 2, rwTimeoutMs: 3000, timeoutMs: 15000 }), (e) => {
    assert.equal(e.killed, false, `ffprobe was killed by the test's timeout: ${e.message}`);
    assert.match(e.stderr, /Input\/output error/);
    return true;
  });
}

module.exports = { startNginx, publish, transcode, record, probe, expectNoStream, watch, arrivals, largestGap, meanLuma, summarize, freePort, hasFfmpegTools };

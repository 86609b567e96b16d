// Starts a real `floe serve` process on a free port with a fresh data dir, and stops it.
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const FLOE_BIN = process.env.FLOE_BIN || path.resolve(__dirname, '../../../../build/floe');

// Spawns floe with `argv` and resolves once it is up: its log names the port it listens on
// (`listening`, a regexp with the port as its group) and it printed `ready` on standard output.
async function spawnFloe(argv, { listening, ready }) {
  const proc = spawn(FLOE_BIN, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  let out = ''; // standard output: the ready block
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL'); // never leave a half-started server behind
      reject(new Error(`floe did not start:\n${log}`));
    }, 15000);
    const check = () => {
      const m = log.match(listening);
      if (!m || !ready.test(out)) return;
      clearTimeout(timer);
      resolve(Number(m[1]));
    };
    proc.stdout.on('data', (chunk) => {
      out += chunk.toString();
      check();
    });
    proc.stderr.on('data', (chunk) => {
      log += chunk.toString();
      check();
    });
    proc.on('exit', (code) => reject(new Error(`floe exited with ${code}:\n${log}`)));
  });
  return {
    port,
    proc,
    log: () => log,
    stdout: () => out,
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode ?? proc.signalCode;
      const done = new Promise((resolve) => proc.on('exit', (code, sig) => resolve(code ?? sig)));
      proc.kill(signal);
      return done;
    },
  };
}

// allowNet: the CIDRs its jobs may reach (test peers live on loopback).
async function startServer({ dataDir, args = [], globalArgs = [], allowNet = ['127.0.0.0/8'] } = {}) {
  dataDir = dataDir || fs.mkdtempSync(path.join(os.tmpdir(), 'floe-it-'));
  const allow = allowNet.flatMap((c) => ['--allow-net', c]);
  // Tests run many small jobs on a small machine: admission is tested where a test sets it.
  const capacity = args.includes('--capacity') ? [] : ['--capacity', '64'];
  const floe = await spawnFloe([...globalArgs, 'serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir, ...allow, ...capacity, ...args],
    { listening: /event=listening endpoint=http:\/\/127\.0\.0\.1:(\d+)/, ready: /Floe is ready/ });
  const metrics = floe.log().match(/event=listening .* metrics=http:\/\/127\.0\.0\.1:(\d+)/);
  // Written by the node that created the root account (another node of a cluster has none).
  const credsFile = path.join(dataDir, 'credentials.json');
  const creds = fs.existsSync(credsFile) ? JSON.parse(fs.readFileSync(credsFile, 'utf8')) : null;
  return {
    ...floe,
    dataDir,
    creds: creds && { port: floe.port, accessKeyId: creds.AccessKeyId, accessKeySecret: creds.AccessKeySecret },
    metricsPort: metrics ? Number(metrics[1]) : null,
    // The access log (one line per request), DATA_DIR/access.log unless --access-log says.
    accessLog: () => fs.readFileSync(path.join(dataDir, 'access.log'), 'utf8'),
  };
}

// `floe worker` on a PostgreSQL store; `port` is its /healthz port.
async function startWorker({ store, nodeId, args = [], allowNet = ['127.0.0.0/8'] }) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'floe-worker-'));
  const allow = allowNet.flatMap((c) => ['--allow-net', c]);
  const floe = await spawnFloe(['worker', '--listen', '127.0.0.1:0', '--data-dir', dataDir, '--store', store, '--node-id', nodeId, ...allow, ...args],
    { listening: /event=listening role=worker health=http:\/\/127\.0\.0\.1:(\d+)/, ready: /Floe worker .* is ready/ });
  return { ...floe, dataDir, nodeId };
}

module.exports = { startServer, startWorker, FLOE_BIN };

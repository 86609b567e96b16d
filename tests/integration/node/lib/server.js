// Starts a real `floe serve` process on a free port with a fresh data dir, and stops it.
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const FLOE_BIN = process.env.FLOE_BIN || path.resolve(__dirname, '../../../../build/floe');

// allowNet: the CIDRs its jobs may reach (test peers live on loopback).
async function startServer({ dataDir, args = [], globalArgs = [], allowNet = ['127.0.0.0/8'] } = {}) {
  dataDir = dataDir || fs.mkdtempSync(path.join(os.tmpdir(), 'floe-it-'));
  const allow = allowNet.flatMap((c) => ['--allow-net', c]);
  // Tests run many small jobs on a small machine: admission is tested where a test sets it.
  const capacity = args.includes('--capacity') ? [] : ['--capacity', '64'];
  const proc = spawn(FLOE_BIN, [...globalArgs, 'serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir, ...allow, ...capacity, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  let out = ''; // standard output: the ready block
  let metricsPort = null;
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL'); // never leave a half-started server behind
      reject(new Error(`floe did not start:\n${log}`));
    }, 15000);
    // Started once it logged where it listens and printed its ready block.
    const check = () => {
      const m = log.match(/event=listening endpoint=http:\/\/127\.0\.0\.1:(\d+)/);
      if (!m || !/Floe is ready/.test(out)) return;
      const metrics = log.match(/event=listening .* metrics=http:\/\/127\.0\.0\.1:(\d+)/);
      if (metrics) metricsPort = Number(metrics[1]);
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
  // Written by the node that created the root account (another node of a cluster has none).
  const credsFile = path.join(dataDir, 'credentials.json');
  const creds = fs.existsSync(credsFile) ? JSON.parse(fs.readFileSync(credsFile, 'utf8')) : null;
  return {
    port,
    dataDir,
    proc,
    creds: creds && { port, accessKeyId: creds.AccessKeyId, accessKeySecret: creds.AccessKeySecret },
    metricsPort,
    log: () => log,
    stdout: () => out,
    // The access log (one line per request), DATA_DIR/access.log unless --access-log says.
    accessLog: () => fs.readFileSync(path.join(dataDir, 'access.log'), 'utf8'),
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode !== null) return proc.exitCode;
      const done = new Promise((resolve) => proc.on('exit', (code, sig) => resolve(code ?? sig)));
      proc.kill(signal);
      return done;
    },
  };
}

module.exports = { startServer, FLOE_BIN };

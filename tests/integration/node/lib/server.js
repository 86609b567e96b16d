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
  const proc = spawn(FLOE_BIN, [...globalArgs, 'serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir, ...allow, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL'); // never leave a half-started server behind
      reject(new Error(`floe did not start:\n${log}`));
    }, 15000);
    proc.stderr.on('data', (chunk) => {
      log += chunk.toString();
      const m = log.match(/event=listening endpoint=http:\/\/127\.0\.0\.1:(\d+)/);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    proc.on('exit', (code) => reject(new Error(`floe exited with ${code}:\n${log}`)));
  });
  const creds = JSON.parse(fs.readFileSync(path.join(dataDir, 'credentials.json'), 'utf8'));
  return {
    port,
    dataDir,
    proc,
    creds: { port, accessKeyId: creds.AccessKeyId, accessKeySecret: creds.AccessKeySecret },
    log: () => log,
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode !== null) return proc.exitCode;
      const done = new Promise((resolve) => proc.on('exit', (code, sig) => resolve(code ?? sig)));
      proc.kill(signal);
      return done;
    },
  };
}

module.exports = { startServer, FLOE_BIN };

// A private PostgreSQL server for a test file: Debian's binaries, initdb into a temporary
// directory and started on 127.0.0.1 on a free port (as the postgres user when the tests run
// as root: initdb and postgres refuse root), stopped by stop(). Never a system service.
'use strict';
const { spawn, spawnSync, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { freePort } = require('./media');

function pgBin() {
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root) ? fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, 'bin', 'postgres'))) : [];
  if (!versions.length) throw new Error('PostgreSQL is not installed (scripts/install-deps.sh installs it)');
  versions.sort((a, b) => Number(b) - Number(a));
  return path.join(root, versions[0], 'bin');
}

// spawn options that run a program as the postgres user when we are root.
function asPostgres() {
  if (process.getuid() !== 0) return {};
  const id = (flag) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

async function startPostgres() {
  const bin = pgBin();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'floe-pg-'));
  const who = asPostgres();
  if (who.uid !== undefined) fs.chownSync(dir, who.uid, who.gid);
  const data = path.join(dir, 'data');
  const init = spawnSync(path.join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync'],
    { ...who, encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  const port = await freePort();
  let proc;
  const start = async () => {
    proc = spawn(path.join(bin, 'postgres'), ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1'],
      { ...who, stdio: 'ignore' });
    for (let i = 0; i < 300; i++) {
      if (spawnSync(path.join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port)]).status === 0) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('PostgreSQL did not start');
  };
  await start();
  let dbs = 0;
  const stop = async (signal = 'SIGINT') => {
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const done = new Promise((r) => proc.on('exit', r));
    proc.kill(signal);
    await done;
  };
  return {
    port,
    // A new database; its URL for floe --store.
    createDatabase() {
      const name = `floe${++dbs}`;
      const r = spawnSync(path.join(bin, 'createdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', name], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`createdb failed: ${r.stderr}`);
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    // SIGKILL to the server and every backend at once (a crash: no shutdown checkpoint; the
    // next start recovers from the WAL), then started again on the same port.
    async crashAndRestart({ downMs = 0 } = {}) {
      const pids = [proc.pid];
      for (const name of fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
        try {
          const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
          if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === proc.pid) pids.push(Number(name));
        } catch {
          // gone meanwhile
        }
      }
      const done = new Promise((r) => proc.on('exit', r));
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone meanwhile
        }
      }
      await done;
      const end = Date.now() + 10000;
      const alive = (pid) => {
        try {
          return !/^State:\s+Z/m.test(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
        } catch {
          return false;
        }
      };
      while (pids.some(alive) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, downMs));
      await start();
    },
    async stop() {
      await stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

module.exports = { startPostgres };

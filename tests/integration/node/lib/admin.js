// Runs `floe admin --data-dir DIR …` exactly as an operator would, and parses its JSON.
'use strict';
const { spawnSync } = require('node:child_process');
const { FLOE_BIN } = require('./server');

function admin(dataDir, ...args) {
  const r = spawnSync(FLOE_BIN, ['admin', '--data-dir', dataDir, ...args], { encoding: 'utf8' });
  if (r.status !== 0) {
    const err = new Error(`floe admin ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
    err.status = r.status;
    err.stderr = r.stderr;
    try {
      err.json = JSON.parse(r.stderr.trim().split('\n').pop());
    } catch {
      /* not JSON */
    }
    throw err;
  }
  return JSON.parse(r.stdout);
}

module.exports = { admin };

// A process's resident memory (VmRSS, kB) and open file descriptors, from /proc: what the soaks
// sample to show a leak.
'use strict';
const fs = require('node:fs');

function processUsage(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return {
    rssKb: Number(/VmRSS:\s+(\d+)/.exec(status)[1]),
    fds: fs.readdirSync(`/proc/${pid}/fd`).length,
  };
}

module.exports = { processUsage };

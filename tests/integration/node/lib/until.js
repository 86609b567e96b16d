// Polls `fn` until it returns something truthy (returned), failing the test after `ms`.
'use strict';
const assert = require('node:assert/strict');

async function until(what, fn, ms = 15000, every = 100) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, every));
  }
}

module.exports = { until };

// The console's recording and snapshot pages in Debian's chromium (playwright-core): a record
// template made through the form (the API's message about RecordFormat shown under it), a record
// job submitted on a live nginx-rtmp source, its recordings listed once they close and played
// (m3u8 through hls.js, fragmented mp4 by the browser), then a snapshot template and job whose
// pictures fill a grid (decoded by the browser at the input's size), stopped and one deleted.
// Screenshots go to BUILD_DIR/test-artifacts/console/.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { chromium } = require('playwright-core');
const { FLOE_BIN } = require('./lib/server');
const { publish } = require('./lib/media');
const { startRecording } = require('./lib/records');
const { until } = require('./lib/until');
const { v1Client } = require('./lib/clients');

const ARTIFACTS = path.join(path.dirname(FLOE_BIN), 'test-artifacts', 'console');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let env;
let browser;
let page;
const errors = [];
test.before(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  env = await startRecording(); // record jobs end 5 s after their input; bucket "rec-jobs"
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--autoplay-policy=no-user-gesture-required'] });
  page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('dialog', (d) => d.accept());
  await page.goto(`http://127.0.0.1:${env.server.port}/console/`);
  await page.fill('#access-key-id', env.server.creds.accessKeyId);
  await page.fill('#access-key-secret', env.server.creds.accessKeySecret);
  await page.click('#signin button[type=submit]');
  await page.waitForSelector('#jobs');
});
test.after(async () => {
  if (browser) await browser.close();
  if (env) await env.stop();
});

const shot = (name) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
// Polled from node: the page's CSP forbids the eval that waitForFunction needs.
const videoTime = () => page.evaluate(() => (document.querySelector('#record-video') || {}).currentTime || 0);

test('recording: a template and a job through the forms, its recordings listed and played', { timeout: 120000 }, async () => {
  await page.click('#nav a[data-page=recording]');
  const tpl = '#new-record-template';
  await page.waitForSelector(tpl);
  await page.click(`${tpl}-button`); // no name: the API's message under the template's Name
  const nameErr = page.locator(`${tpl} [data-error-for="template.Name"]`);
  await nameErr.waitFor({ state: 'visible' });
  assert.match(await nameErr.textContent(), /Name/);
  assert.equal(await page.getAttribute(`${tpl} #template\\.Name`, 'aria-invalid'), 'true');
  await page.fill(`${tpl} #template\\.Name`, 'console-rec');
  await page.check(`${tpl} #record-mp4`);
  await page.fill(`${tpl} #m3u8\\.SliceDuration`, '100');
  await page.click(`${tpl}-button`);
  const err = page.locator(`${tpl} [data-error-for="template.RecordFormat"]`);
  await err.waitFor({ state: 'visible' });
  assert.match(await err.textContent(), /SliceDuration is 100; allowed 5-30/);
  await page.fill(`${tpl} #m3u8\\.SliceDuration`, '5');
  await page.click(`${tpl}-button`);
  await page.waitForSelector('#record-templates tr:has-text("console-rec")');
  assert.match(await page.textContent('#record-templates tr:has-text("console-rec")'), /m3u8 5 s slices a file every 21600 s · mp4 a file every 21600 s/);

  const src = env.nginx.url('console-rec-src');
  const pub = publish(src, { seconds: 14, size: '426x240', rate: 25 });
  try {
    await sleep(1500);
    const form = '#submit-record-job';
    await page.fill(`${form} #Name`, 'console-rec-job');
    await page.fill(`${form} #StreamInput\\.Url`, src);
    await page.fill(`${form} #RecordOutput\\.Bucket`, 'not-ours');
    await page.click(`${form}-button`);
    const bucketErr = page.locator(`${form} [data-error-for="RecordOutput.Bucket"]`);
    await bucketErr.waitFor({ state: 'visible' });
    assert.match(await bucketErr.textContent(), /not a bucket of this account/);
    await page.fill(`${form} #RecordOutput\\.Bucket`, 'rec-jobs');
    await page.click(`${form}-button`);
    await page.waitForSelector('#record-job-state:text("running")', { timeout: 30000 });
    assert.equal(await page.textContent('#record-job-status'), 'started');
    await shot('record-job-running');
  } finally {
    await pub.done;
  }
  // The input ended: 5 s later the files close, the job ends, and the page lists both files.
  await page.waitForSelector('#record-job-status:text("paused")', { timeout: 30000 });
  await until('two recordings listed', async () => (await page.locator('#record-files tbody tr').count()) === 2, 15000, 250);
  const formats = await page.locator('#record-files tbody tr td:first-child').allTextContents();
  assert.deepEqual(formats.sort(), ['m3u8', 'mp4']);
  assert.match(await page.textContent('#record-events'), /record_file/);
  for (const fmt of ['m3u8', 'mp4']) {
    await page.click(`#record-files tr:has(td:text-is("${fmt}")) button:has-text("Play")`);
    await page.waitForSelector(`#record-player h3:has-text("${fmt}")`);
    await until(`the ${fmt} recording playing`, async () => (await videoTime()) > 1, 20000, 250);
    assert.equal(await page.evaluate(() => document.querySelector('#record-video').videoWidth), 426);
  }
  await shot('record-job-played');

  // A recording deleted from the page is gone from the API too, its files with it.
  await page.click('#record-files tr:has(td:text-is("mp4")) button:has-text("Delete")');
  await until('one recording left', async () => (await page.locator('#record-files tbody tr').count()) === 1, 10000, 250);
  const sdk = v1Client(env.server.creds);
  const left = await sdk.call('ListLiveRecordFiles', { 'JobIds.1': page.url().split('/').pop(),
    StartTime: new Date(Date.now() - 3600e3).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    EndTime: new Date(Date.now() + 60e3).toISOString().replace(/\.\d{3}Z$/, 'Z') });
  assert.deepEqual(left.Files.map((f) => f.Format), ['m3u8']);
  assert.deepEqual(errors, []);
});

test('snapshots: a template and a job through the forms, a grid of its pictures, stop, delete one', { timeout: 120000 }, async () => {
  await page.click('#nav a[data-page=snapshots]');
  const tpl = '#new-snapshot-template';
  await page.waitForSelector(tpl);
  await page.fill(`${tpl} #TemplateName`, 'console-shots');
  await page.fill(`${tpl} #TimeInterval`, '2');
  await page.click(`${tpl}-button`);
  const err = page.locator(`${tpl} [data-error-for="TimeInterval"]`);
  await err.waitFor({ state: 'visible' });
  assert.match(await err.textContent(), /5/);
  await page.fill(`${tpl} #TimeInterval`, '5');
  await page.click(`${tpl}-button`);
  await page.waitForSelector('#snapshot-templates tr:has-text("console-shots")');

  const src = env.nginx.url('console-shot-src');
  const pub = publish(src, { seconds: 60, size: '426x240', rate: 25 });
  try {
    await sleep(1500);
    const form = '#submit-snapshot-job';
    await page.fill(`${form} #JobName`, 'console-shot-job');
    await page.fill(`${form} #StreamInput\\.Url`, src);
    await page.fill(`${form} #SnapshotOutput\\.Bucket`, 'rec-jobs');
    await page.click(`${form}-button`);
    await page.waitForSelector('#snapshot-job-status:text("started")', { timeout: 30000 });
    // The overwrite picture and at least two of the sequence, each decoded by the browser.
    const figures = page.locator('#snapshot-grid figure');
    await until('three pictures in the grid', async () => (await figures.count()) >= 3, 30000, 250);
    await until('the pictures decoded', async () => {
      const widths = await page.evaluate(() => [...document.querySelectorAll('#snapshot-grid img')].map((i) => i.naturalWidth));
      return widths.length >= 3 && widths.every((w) => w === 426);
    }, 10000, 250);
    assert.equal(await page.locator('#snapshot-grid figure[data-overlay="true"]').count(), 1);
    // The job's own figures as its process reports them: every picture counted.
    await until('pictures counted', async () => {
      const m = /^(\d+) pictures, \d+\.\d\d MB$/.exec(await page.textContent('#snapshot-job-written'));
      return m && Number(m[1]) >= 3;
    }, 10000, 250);
    await shot('snapshot-grid');

    await page.click('#snapshot-stop');
    await page.waitForSelector('#snapshot-job-status:text("paused")', { timeout: 15000 });
    await page.waitForSelector('#snapshot-start');
    const before = await page.locator('#snapshot-grid figure[data-overlay="false"]').count();
    await page.click('#snapshot-grid figure[data-overlay="false"] >> nth=0 >> button:has-text("Delete")');
    await until('one picture fewer', async () =>
      (await page.locator('#snapshot-grid figure[data-overlay="false"]').count()) === before - 1, 10000, 250);
    assert.deepEqual(errors, []);
  } finally {
    pub.stop();
  }
});

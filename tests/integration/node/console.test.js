// The web console in a real browser: Debian's chromium, headless, driven by playwright-core.
// Sign in, create a template and see the API's validation message next to its field, submit a
// job on a live nginx-rtmp source, watch it run (the preview <video> advances, the stats chart
// redraws), stop it, and check that a read-only RAM user sees its write buttons disabled after
// Forbidden.RAM instead of a broken page. Screenshots go to BUILD_DIR/test-artifacts/console/.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { chromium } = require('playwright-core');
const { startServer, FLOE_BIN } = require('./lib/server');
const { startNginx, publish } = require('./lib/media');
const { admin } = require('./lib/admin');
const { until } = require('./lib/until');
const { v1Client } = require('./lib/clients');

const ARTIFACTS = path.join(path.dirname(FLOE_BIN), 'test-artifacts', 'console');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let nginx;
let server;
let browser;
test.before(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  nginx = await startNginx();
  server = await startServer();
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--autoplay-policy=no-user-gesture-required'] });
});
test.after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
  if (nginx) await nginx.stop();
});

async function signedIn(keyId, secret) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`http://127.0.0.1:${server.port}/console/`);
  await page.fill('#access-key-id', keyId);
  await page.fill('#access-key-secret', secret);
  await page.click('#signin button[type=submit]');
  await page.waitForSelector('#jobs');
  return { page, errors };
}

const shot = (page, name) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });

test('the console is served with its own files only, and a wrong key does not sign in', async () => {
  const res = await fetch(`http://127.0.0.1:${server.port}/console/`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-security-policy'), /default-src 'self'/);
  assert.equal((await fetch(`http://127.0.0.1:${server.port}/console/../credentials.json`)).status, 404);
  assert.equal((await fetch(`http://127.0.0.1:${server.port}/console/%2e%2e/credentials.json`)).status, 404);
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${server.port}/console/`);
  await page.fill('#access-key-id', server.creds.accessKeyId);
  await page.fill('#access-key-secret', 'wrong');
  await page.click('#signin button[type=submit]');
  await page.waitForSelector('.notice.error');
  assert.match(await page.textContent('.notice.error'), /SignatureDoesNotMatch/);
  assert.equal(await page.evaluate(() => sessionStorage.getItem('floe.credentials')), null);
  await page.close();
});

test('templates: create through the form, the API\'s validation message next to its field, system ones read-only', async () => {
  const { page, errors } = await signedIn(server.creds.accessKeyId, server.creds.accessKeySecret);
  await page.click('#nav a[data-page=templates]');
  await page.waitForSelector('#templates tbody tr');
  await page.click('#new-template');
  await page.waitForSelector('#save-template');
  await page.fill('#Name', 'console-bad');
  await page.fill('#VideoParams\\.Height', '100');
  await page.fill('#VideoParams\\.Fps', '25');
  await page.fill('#VideoParams\\.Bitrate', '300');
  await page.click('#save-template');
  const err = page.locator('[data-error-for="VideoParams.Height"]');
  await err.waitFor({ state: 'visible' });
  assert.match(await err.textContent(), /VideoParams\.Height.*128/);
  assert.equal(await page.getAttribute('#VideoParams\\.Height', 'aria-invalid'), 'true');
  await shot(page, 'template-validation');

  await page.fill('#Name', 'console-240p');
  await page.fill('#VideoParams\\.Height', '240');
  await page.selectOption('#VideoParams\\.Codec', 'H.264');
  await page.selectOption('#AudioParams\\.Codec', 'AAC');
  await page.fill('#AudioParams\\.Bitrate', '64');
  // HE-AAC (Floe's own SBR encoder): the job test below plays its preview in chromium.
  await page.selectOption('#AudioParams\\.Samplerate', '48000');
  await page.selectOption('#AudioParams\\.Profile', 'aac_he');
  await page.click('#save-template');
  await page.waitForSelector('#templates tr:has-text("console-240p")');
  const list = await v1Client(server.creds).call('ListLiveTranscodeTemplates', { KeyWord: 'console-240p' });
  assert.equal(list.TemplateContentList[0].TemplateConfig.VideoParams.Height, '240');

  // The API's filters: system ones only.
  await page.selectOption('#template-filters select[name=Category]', 'system');
  await page.click('#template-filters button[type=submit]');
  await page.waitForSelector('.pager:has-text("· 5 templates")');
  const categories = await page.locator('#templates tbody tr td:nth-child(4)').allTextContents();
  assert.deepEqual([...new Set(categories)], ['system']);
  assert.match(await page.textContent('.pager'), /Page 1 of 1 · 5 templates/);

  // A system template opens read-only: no save button, fields disabled.
  await page.click('#templates a:has-text("system-h264-360p")');
  await page.waitForSelector('h2:has-text("read-only")');
  assert.equal(await page.locator('#save-template').count(), 0);
  assert.equal(await page.isDisabled('#VideoParams\\.Height'), true);
  assert.deepEqual(errors, []);
  await page.close();
});

test('jobs: submit on a live source, watch it run with preview and charts, stop it', { timeout: 120000 }, async () => {
  const src = nginx.url('console-src');
  const pub = publish(src, { seconds: 90, size: '426x240', rate: 25 });
  try {
    await sleep(1000);
    const { page, errors } = await signedIn(server.creds.accessKeyId, server.creds.accessKeySecret);
    await page.fill('#Name', 'console-job');
    await page.selectOption('#TemplateId', { label: 'console-240p (customized)' });
    await page.fill('#StreamInput\\.InputUrl', src);
    await page.selectOption('#TranscodeOutput\\.Type', 'rtmp');
    await page.fill('#TranscodeOutput\\.Target', nginx.url('console-out'));
    await page.click('#submit-job-button');
    await page.waitForSelector('#job-state:text("running")', { timeout: 30000 });
    assert.equal(await page.textContent('#job-status'), 'running');

    // The stats chart redraws every second.
    const pushes = async () => Number(await page.getAttribute('#chart-fps', 'data-pushes'));
    const before = await pushes();
    await sleep(2500);
    assert.ok((await pushes()) >= before + 2, 'the fps chart was redrawn');
    assert.match(await page.textContent('#chart-fps .legend'), /out 2[0-9]\.\d/);

    // The preview plays: currentTime of the output's <video> grows, and the input's too.
    // (Polled from here: the page's CSP forbids the eval that waitForFunction would need.)
    const time = (sel) => page.evaluate((s) => (document.querySelector(s) || {}).currentTime || 0, sel);
    await until('the output preview playing', async () => (await time('#preview-output')) > 0, 45000, 250);
    const t0 = await time('#preview-output');
    await sleep(3000);
    assert.ok((await time('#preview-output')) > t0 + 1, 'the output preview advances');
    // Its audio is HE-AAC: the master playlist says so (CODECS mp4a.40.5, which hls.js builds its
    // decoder config from) and chromium decodes it (audio bytes decoded keep growing).
    const outputUrl = await page.evaluate(() => document.querySelector('#preview-output').dataset.src || '');
    assert.match(outputUrl, /\/output\/master\.m3u8$/);
    const master = await page.evaluate(async (u) => (await fetch(u)).text(), outputUrl);
    assert.match(master, /CODECS="avc1\.[0-9a-f]{6},mp4a\.40\.5"/);
    const audioBytes = () => page.evaluate(() => document.querySelector('#preview-output').webkitAudioDecodedByteCount || 0);
    await until('the output preview decoding HE-AAC audio', async () => (await audioBytes()) > 0, 20000, 250);
    const a0 = await audioBytes();
    await sleep(2000);
    assert.ok((await audioBytes()) > a0, 'the HE-AAC audio keeps decoding');
    await until('the input preview playing', async () => (await time('#preview-input')) > 0, 20000, 250);
    await shot(page, 'job-running');
    const jobUrl = page.url();

    // Its template cannot be deleted while it runs: the API's error, shown plainly.
    page.on('dialog', (d) => d.accept());
    await page.click('#nav a[data-page=templates]');
    await page.click('#templates tr:has-text("console-240p") button:has-text("Delete")');
    await page.waitForSelector('.notice.error');
    assert.match(await page.textContent('.notice.error'), /InvalidParam\.TemplateIdInuse/);
    await shot(page, 'template-in-use');

    await page.goto(jobUrl);
    await page.click('#stop-job');
    await page.waitForSelector('#job-status:text("stopped")', { timeout: 15000 });
    assert.match(await page.textContent('#job-events'), /stopped/);
    await shot(page, 'job-stopped');
    await page.click('#delete-job');
    await page.waitForSelector('#jobs');
    assert.equal(await page.locator('#jobs tr:has-text("console-job")').count(), 0);
    assert.deepEqual(errors, []);
    await page.close();
  } finally {
    pub.stop();
  }
});

test('a read-only RAM user can look but not submit: the button is disabled after Forbidden.RAM', async () => {
  const account = admin(server.dataDir, 'account', 'show-root').AccountId;
  admin(server.dataDir, 'user', 'create', '--account', account, '--name', 'viewer');
  admin(server.dataDir, 'policy', 'attach', '--account', account, '--user', 'viewer', '--document',
    '{"Version":"1","Statement":[{"Effect":"Allow","Action":["ice:Get*","ice:List*"],"Resource":"*"}]}');
  const key = admin(server.dataDir, 'key', 'create', '--account', account, '--user', 'viewer');
  // A job of the account (its input is not live: it waits) for the viewer to see.
  const sdk = v1Client(server.creds);
  const tpl = (await sdk.call('ListLiveTranscodeTemplates', { KeyWord: 'console-240p' })).TemplateContentList[0].TemplateId;
  await sdk.call('SubmitLiveTranscodeJob', { Name: 'root-job', TemplateId: tpl, StartMode: '0',
    StreamInput: JSON.stringify({ Type: 'rtmp', InputUrl: nginx.url('not-live') }),
    TranscodeOutput: JSON.stringify({ Type: 'rtmp', OutputUrl: nginx.url('not-live-out') }) });
  const { page, errors } = await signedIn(key.AccessKeyId, key.AccessKeySecret);
  await page.waitForSelector('#jobs tr:has-text("root-job")');
  assert.equal(await page.isDisabled('#jobs tr:has-text("root-job") button:has-text("Stop")'), false, 'not known yet');
  await page.fill('#Name', 'not-allowed');
  await page.fill('#StreamInput\\.InputUrl', nginx.url('nothing'));
  await page.selectOption('#TranscodeOutput\\.Type', 'rtmp');
  await page.fill('#TranscodeOutput\\.Target', nginx.url('nothing-out'));
  await page.click('#submit-job-button');
  await page.waitForSelector('.notice.error');
  assert.match(await page.textContent('.notice.error'), /Forbidden\.RAM/);
  assert.equal(await page.isDisabled('#submit-job-button'), true);
  // Every other job write is disabled too; reading still works.
  for (const b of await page.locator('#jobs button').all()) assert.equal(await b.isDisabled(), true);
  await page.click('#nav a[data-page=templates]');
  await page.waitForSelector('#templates tbody tr');
  await shot(page, 'read-only-user');
  assert.deepEqual(errors, []);
  await page.close();
});

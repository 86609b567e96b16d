// Identity and access against a real `floe serve`: every signature error with hand-built
// requests, RAM policies, service enablement, isolation and disabled keys with the official
// SDKs, and `floe admin` used while the server runs.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { startServer } = require('./lib/server');
const { v1Client, v3Client, expectError } = require('./lib/clients');
const { signV1, send, utc } = require('./lib/raw');
const { admin } = require('./lib/admin');
const { until } = require('./lib/until');

const ALL_ACTIONS = ['Create', 'Get', 'List', 'Update', 'Delete'];


// Calls one template action with parameters that would succeed for an authorised caller.
async function callAction(sdk, verb, templateId) {
  switch (verb) {
    case 'Create':
      return sdk.call('CreateLiveTranscodeTemplate', { Name: 'ram', Type: 'origin' });
    case 'Get':
      return sdk.call('GetLiveTranscodeTemplate', { TemplateId: templateId });
    case 'List':
      return sdk.call('ListLiveTranscodeTemplates', {});
    case 'Update':
      return sdk.call('UpdateLiveTranscodeTemplate', { TemplateId: templateId, Name: 'renamed' });
    case 'Delete':
      return sdk.call('DeleteLiveTranscodeTemplate', { TemplateId: templateId });
  }
}

let server;
let root; // root credentials of the first account
test.before(async () => {
  server = await startServer();
  root = server.creds;
});
test.after(async () => {
  if (server) await server.stop();
});

const keyOf = (k) => ({ port: server.port, accessKeyId: k.AccessKeyId, accessKeySecret: k.AccessKeySecret });
const rawList = () => ({ Action: 'ListLiveTranscodeTemplates', PageSize: '1' });

test('admin CLI forms work while serve runs', () => {
  const creds = JSON.parse(fs.readFileSync(path.join(server.dataDir, 'credentials.json')));
  assert.deepEqual(admin(server.dataDir, 'account', 'show-root'), { AccountId: creds.AccountId });
  const acc = admin(server.dataDir, 'account', 'create', '--name', 'cli');
  assert.match(acc.AccountId, /^[1-9]\d{15}$/);
  admin(server.dataDir, 'account', 'enable-ice', '--account', acc.AccountId);
  admin(server.dataDir, 'account', 'disable-ice', '--account', acc.AccountId);
  admin(server.dataDir, 'user', 'create', '--account', acc.AccountId, '--name', 'ops');
  admin(server.dataDir, 'policy', 'attach', '--account', acc.AccountId, '--user', 'ops', '--document',
    '{"Version":"1","Statement":[{"Effect":"Allow","Action":"ice:*","Resource":"*"}]}');
  const k = admin(server.dataDir, 'key', 'create', '--account', acc.AccountId, '--user', 'ops');
  assert.match(k.AccessKeyId, /^LTAI/);
  assert.match(k.AccessKeySecret, /^[A-Za-z0-9]{30}$/);
  const rk = admin(server.dataDir, 'key', 'create', '--account', acc.AccountId);
  admin(server.dataDir, 'key', 'disable', '--key', rk.AccessKeyId);
  admin(server.dataDir, 'key', 'delete', '--key', rk.AccessKeyId);
  assert.throws(() => admin(server.dataDir, 'key', 'delete', '--key', rk.AccessKeyId), (e) => e.json.Code === 'EntityNotExist.AccessKey');
  assert.throws(
    () => admin(server.dataDir, 'policy', 'attach', '--account', acc.AccountId, '--user', 'ops', '--document', '{"Version":"1","Statement":[{"Effect":"Maybe","Action":"ice:*","Resource":"*"}]}'),
    (e) => e.json.Code === 'InvalidParameter.PolicyDocument' && /Maybe/.test(e.json.Message),
  );
  assert.throws(
    () => admin(server.dataDir, 'policy', 'attach', '--account', acc.AccountId, '--user', 'ops', '--document', '{oops'),
    (e) => e.json.Code === 'InvalidParameter.PolicyDocument' && /JSON/.test(e.json.Message),
  );
  // No secret is in the database in plain text.
  const db = fs.readFileSync(path.join(server.dataDir, 'floe.db')).toString('latin1') +
    fs.readFileSync(path.join(server.dataDir, 'floe.db-wal')).toString('latin1');
  assert.equal(db.includes(k.AccessKeySecret), false);
  assert.equal(db.includes(root.accessKeySecret), false);
  assert.equal(fs.statSync(path.join(server.dataDir, 'master.key')).mode & 0o777, 0o600);
  assert.equal(server.log().includes(k.AccessKeySecret), false);
});

test('raw V1: every signature error of the API table', async () => {
  const ok = await send(server.port, { path: '/?' + signV1(root, rawList()) });
  assert.equal(ok.status, 200, JSON.stringify(ok.body));

  const missing = await send(server.port, {
    path: '/?' + signV1(root, rawList(), { mutate: (p) => delete p.Signature }),
  });
  assert.deepEqual([missing.status, missing.body.Code], [400, 'IncompleteSignature']);

  const tampered = await send(server.port, {
    path: '/?' + signV1(root, rawList(), { mutate: (p) => (p.PageSize = '2') }),
  });
  assert.deepEqual([tampered.status, tampered.body.Code], [400, 'SignatureDoesNotMatch']);

  const unknown = await send(server.port, { path: '/?' + signV1({ ...root, accessKeyId: 'LTAInobody' }, rawList()) });
  assert.deepEqual([unknown.status, unknown.body.Code], [404, 'InvalidAccessKeyId.NotFound']);

  const acc = admin(server.dataDir, 'account', 'show-root').AccountId;
  const k = admin(server.dataDir, 'key', 'create', '--account', acc);
  admin(server.dataDir, 'key', 'disable', '--key', k.AccessKeyId);
  const inactive = await send(server.port, { path: '/?' + signV1(keyOf(k), rawList()) });
  assert.deepEqual([inactive.status, inactive.body.Code], [400, 'InvalidAccessKeyId.Inactive']);

  const replayPath = '/?' + signV1(root, rawList());
  assert.equal((await send(server.port, { path: replayPath })).status, 200);
  const replay = await send(server.port, { path: replayPath }); // byte-identical
  assert.deepEqual([replay.status, replay.body.Code], [400, 'SignatureNonceUsed']);

  const now = Date.now();
  for (const [offsetS, code] of [[-16 * 60, 'InvalidTimeStamp.Expired'], [16 * 60, 'InvalidTimeStamp.Expired'], [-14 * 60, null], [14 * 60, null]]) {
    const r = await send(server.port, { path: '/?' + signV1(root, rawList(), { timestamp: utc(new Date(now + offsetS * 1000)) }) });
    if (code) assert.deepEqual([r.status, r.body.Code], [400, code], `offset ${offsetS}`);
    else assert.equal(r.status, 200, `offset ${offsetS}: ${JSON.stringify(r.body)}`);
  }
  const badFormat = await send(server.port, { path: '/?' + signV1(root, rawList(), { timestamp: '2026/11/24 10:00:00' }) });
  assert.deepEqual([badFormat.status, badFormat.body.Code], [400, 'InvalidTimeStamp.Format']);
  for (const r of [missing, tampered, unknown, inactive, replay, badFormat]) {
    assert.ok(r.body.RequestId && r.body.Message && r.body.HostId !== undefined && r.body.Recommend !== undefined);
  }
});

test('signature errors through the SDKs: wrong secret, unknown and disabled keys', async () => {
  const acc = admin(server.dataDir, 'account', 'show-root').AccountId;
  const k = admin(server.dataDir, 'key', 'create', '--account', acc);
  for (const make of [(c) => v1Client(c), (c) => v3Client(c)]) {
    await expectError(make({ ...root, accessKeySecret: 'wrong' }).call('ListLiveTranscodeTemplates'), 'SignatureDoesNotMatch');
    await expectError(make({ ...root, accessKeyId: 'LTAInone' }).call('ListLiveTranscodeTemplates'), 'InvalidAccessKeyId.NotFound');
  }
  await v3Client(keyOf(k)).call('ListLiveTranscodeTemplates'); // works while active
  admin(server.dataDir, 'key', 'disable', '--key', k.AccessKeyId);
  await expectError(v1Client(keyOf(k)).call('ListLiveTranscodeTemplates'), 'InvalidAccessKeyId.Inactive');
  await expectError(v3Client(keyOf(k)).call('ListLiveTranscodeTemplates'), 'InvalidAccessKeyId.Inactive', 400);
  admin(server.dataDir, 'key', 'delete', '--key', k.AccessKeyId);
  await expectError(v3Client(keyOf(k)).call('ListLiveTranscodeTemplates'), 'InvalidAccessKeyId.NotFound', 404);
});

test('RAM: allow and deny per template action, explicit Deny wins', async () => {
  const acc = admin(server.dataDir, 'account', 'show-root').AccountId;
  const { TemplateId } = await v3Client(root).call('CreateLiveTranscodeTemplate', { Name: 'owned-by-root', Type: 'origin' });
  const cases = {
    reader: { doc: { Effect: 'Allow', Action: ['ice:Get*', 'ice:List*'], Resource: '*' }, allowed: ['Get', 'List'] },
    writer: { doc: { Effect: 'Allow', Action: 'ice:*LiveTranscodeTemplate', Resource: `acs:ice:*:${acc}:*` }, allowed: ['Create', 'Get', 'Update', 'Delete'] },
    nothing: { doc: null, allowed: [] },
    otheraccount: { doc: { Effect: 'Allow', Action: 'ice:*', Resource: 'acs:ice:*:1234567890123456:*' }, allowed: [] },
    denyupdate: { doc: [{ Effect: 'Allow', Action: 'ice:*', Resource: '*' }, { Effect: 'Deny', Action: ['ice:Update*', 'ice:Delete?iveTranscodeTemplate'], Resource: '*' }], allowed: ['Create', 'Get', 'List'] },
  };
  for (const [name, c] of Object.entries(cases)) {
    admin(server.dataDir, 'user', 'create', '--account', acc, '--name', name);
    if (c.doc) {
      const statements = Array.isArray(c.doc) ? c.doc : [c.doc];
      admin(server.dataDir, 'policy', 'attach', '--account', acc, '--user', name, '--document', JSON.stringify({ Version: '1', Statement: statements }));
    }
    const key = keyOf(admin(server.dataDir, 'key', 'create', '--account', acc, '--user', name));
    for (const sdk of [v1Client(key, 'POST'), v3Client(key)]) {
      for (const verb of ['Get', 'List', 'Update', 'Create']) {
        if (c.allowed.includes(verb)) {
          await callAction(sdk, verb, TemplateId);
        } else {
          const e = await expectError(callAction(sdk, verb, TemplateId), 'Forbidden.RAM', 403);
          assert.match(e.message, new RegExp(`ice:${verb}`));
        }
      }
    }
    // Delete last, on a template of its own.
    const { TemplateId: victim } = await v3Client(root).call('CreateLiveTranscodeTemplate', { Name: 'victim', Type: 'origin' });
    if (c.allowed.includes('Delete')) await callAction(v3Client(key), 'Delete', victim);
    else await expectError(callAction(v3Client(key), 'Delete', victim), 'Forbidden.RAM', 403);
  }
  // A second policy with a Deny overrides an earlier Allow.
  admin(server.dataDir, 'policy', 'attach', '--account', acc, '--user', 'reader', '--document',
    JSON.stringify({ Version: '1', Statement: [{ Effect: 'Deny', Action: 'ice:List*', Resource: '*' }] }));
  const readerKey = keyOf(admin(server.dataDir, 'key', 'create', '--account', acc, '--user', 'reader'));
  await expectError(v3Client(readerKey).call('ListLiveTranscodeTemplates', {}), 'Forbidden.RAM', 403);
  await v3Client(readerKey).call('GetLiveTranscodeTemplate', { TemplateId });
});

test('service enablement: OperationDenied for every action until ICE is enabled', async () => {
  const acc = admin(server.dataDir, 'account', 'create', '--name', 'no-ice').AccountId;
  const key = keyOf(admin(server.dataDir, 'key', 'create', '--account', acc));
  const sys = '00000000000000000000000000000720';
  for (const sdk of [v1Client(key), v3Client(key)]) {
    for (const verb of ALL_ACTIONS) {
      const e = await expectError(callAction(sdk, verb, sys), 'OperationDenied', 403);
      assert.match(e.message, /Your account has not enabled the ICE service\./);
    }
  }
  admin(server.dataDir, 'account', 'enable-ice', '--account', acc);
  await v3Client(key).call('ListLiveTranscodeTemplates', {});
  admin(server.dataDir, 'account', 'disable-ice', '--account', acc);
  await expectError(v3Client(key).call('ListLiveTranscodeTemplates', {}), 'OperationDenied', 403);
});

test("cross-account isolation: another account's TemplateId behaves as not found", async () => {
  const b = admin(server.dataDir, 'account', 'create', '--name', 'tenant-b').AccountId;
  admin(server.dataDir, 'account', 'enable-ice', '--account', b);
  const bKey = keyOf(admin(server.dataDir, 'key', 'create', '--account', b));
  const { TemplateId } = await v3Client(root).call('CreateLiveTranscodeTemplate', { Name: 'tenant-a-secret', Type: 'origin' });
  for (const sdk of [v1Client(bKey), v3Client(bKey)]) {
    for (const verb of ['Get', 'Update', 'Delete']) {
      await expectError(callAction(sdk, verb, TemplateId), 'ResourceNotFound', 404);
    }
    const list = await sdk.call('ListLiveTranscodeTemplates', { KeyWord: TemplateId });
    assert.equal(list.TotalCount, 0);
    const all = await sdk.call('ListLiveTranscodeTemplates', { PageSize: 100 });
    assert.ok(all.TemplateContentList.every((t) => t.Category === 'system' || t.Name !== 'tenant-a-secret'));
  }
  const still = await v3Client(root).call('GetLiveTranscodeTemplate', { TemplateId });
  assert.equal(still.TemplateContent.Name, 'tenant-a-secret');
});

test('nonces survive a SIGKILL of the server', async () => {
  const replayPath = '/?' + signV1(root, rawList());
  assert.equal((await send(server.port, { path: replayPath })).status, 200);
  assert.equal(await server.stop('SIGKILL'), 'SIGKILL');
  server = await startServer({ dataDir: server.dataDir });
  const replay = await send(server.port, { path: replayPath });
  assert.deepEqual([replay.status, replay.body.Code], [400, 'SignatureNonceUsed']);
});

test('rate limiting per AccessKey: 429 Throttling.User', async () => {
  // 0.01/s: no token comes back during the test, however slow the first calls are.
  const limited = await startServer({ args: ['--rate-limit', '0.01', '--rate-burst', '3'] });
  try {
    const sdk = v3Client(limited.creds);
    for (let i = 0; i < 3; i++) await sdk.call('ListLiveTranscodeTemplates', {});
    await expectError(sdk.call('ListLiveTranscodeTemplates', {}), 'Throttling.User', 429);
    const acc = admin(limited.dataDir, 'account', 'show-root').AccountId;
    const other = admin(limited.dataDir, 'key', 'create', '--account', acc);
    await v3Client({ port: limited.port, accessKeyId: other.AccessKeyId, accessKeySecret: other.AccessKeySecret }).call('ListLiveTranscodeTemplates', {});
  } finally {
    await limited.stop();
  }
});

test('failed authentications count per client: X-Forwarded-For only from a --trusted-proxy', async () => {
  const limits = ['--auth-failure-rate', '0.001', '--auth-failure-burst', '2'];
  const unsigned = (port, xff) => send(port, {
    path: '/?Action=ListLiveTranscodeTemplates&Version=2020-11-09',
    headers: { 'X-Forwarded-For': xff },
  }).then((r) => r.body.Code);
  const proxied = await startServer({ args: [...limits, '--trusted-proxy', '127.0.0.0/8'] });
  const direct = await startServer({ args: limits });
  try {
    // Behind the trusted proxy (this test, on 127.0.0.1) each forwarded client has its budget;
    // what a client wrote before the proxy's entry is not believed.
    assert.equal(await unsigned(proxied.port, '203.0.113.1'), 'IncompleteSignature');
    assert.equal(await unsigned(proxied.port, '198.51.100.7, 203.0.113.1'), 'IncompleteSignature');
    assert.equal(await unsigned(proxied.port, '198.51.100.8, 203.0.113.1'), 'Throttling');
    assert.equal(await unsigned(proxied.port, '203.0.113.2'), 'IncompleteSignature');
    const logged = () => { try { return proxied.accessLog(); } catch { return ''; } };
    await until('the forwarded client in the access log', () => /remote=203\.0\.113\.2 proxy=127\.0\.0\.1:\d+/.test(logged()), 5000);
    // From any other peer the header is anyone's to write: it changes nothing.
    assert.equal(await unsigned(direct.port, '203.0.113.1'), 'IncompleteSignature');
    assert.equal(await unsigned(direct.port, '203.0.113.2'), 'IncompleteSignature');
    assert.equal(await unsigned(direct.port, '203.0.113.3'), 'Throttling');
    assert.doesNotMatch(direct.accessLog(), /203\.0\.113/);
  } finally {
    await proxied.stop();
    await direct.stop();
  }
});

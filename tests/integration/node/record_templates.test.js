// The five recording template actions through the official SDKs, unmodified, against a real
// `floe serve`, each call shaped as the generated SDK shapes it: Get and List as GET with the
// parameters in the query, Create and Update as a form body, Delete in the query of a POST
// (V3, ACS3-HMAC-SHA256 over the raw body); V1 (pop-core) reads with GET and writes with POST.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('./lib/server');
const { FAMILY_SDKS, v3Client, expectError } = require('./lib/clients');
const { admin } = require('./lib/admin');

let server;
test.before(async () => {
  server = await startServer();
});
test.after(async () => {
  if (server) await server.stop();
});

const keyOf = (k) => ({ port: server.port, accessKeyId: k.AccessKeyId, accessKeySecret: k.AccessKeySecret });

// A second account with the service enabled, and its root key.
function newAccount(name) {
  const { AccountId } = admin(server.dataDir, 'account', 'create', '--name', name);
  admin(server.dataDir, 'account', 'enable-ice', '--account', AccountId);
  return keyOf(admin(server.dataDir, 'key', 'create', '--account', AccountId));
}

// A RAM user of the first account with this policy, and its key.
function newRamUser(name, policy) {
  const { AccountId } = admin(server.dataDir, 'account', 'show-root');
  admin(server.dataDir, 'user', 'create', '--account', AccountId, '--name', name);
  admin(server.dataDir, 'policy', 'attach', '--account', AccountId, '--user', name, '--document', JSON.stringify(policy));
  return keyOf(admin(server.dataDir, 'key', 'create', '--account', AccountId, '--user', name));
}

const HLS = [{
  Format: 'm3u8',
  OssObjectPrefix: 'record/{JobId}/{Sequence}_{EscapedStartTime}_{EscapedEndTime}',
  SliceOssObjectPrefix: 'record/{JobId}/{UnixTimestamp}_{Sequence}',
  SliceDuration: 10,
  CycleDuration: 3600,
}];

for (const s of FAMILY_SDKS) {
  const sdkName = s.name;
  test(`recording template lifecycle (${sdkName})`, async () => {
    const sdk = s.reader(server.creds);
    const writer = s.writer(server.creds);
    const name = `rec-${sdkName}-${Date.now()} 录制 & = +`;
    const created = await writer.call('CreateLiveRecordTemplate',
      { Name: name, RecordFormat: JSON.stringify(HLS) }, s.write);
    assert.match(created.RequestId, /^[0-9A-F-]{36}$/);
    assert.match(created.TemplateId, /^[0-9a-f]{32}$/);
    const id = created.TemplateId;

    const got = await sdk.call('GetLiveRecordTemplate', { TemplateId: id }, s.read);
    const t = got.RecordTemplate;
    assert.equal(t.TemplateId, id);
    assert.equal(t.Name, name);
    assert.equal(t.Type, 'custom');
    assert.match(t.CreateTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.match(t.LastModified, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.deepEqual(t.RecordFormatList, HLS);

    const listed = await sdk.call('ListLiveRecordTemplates', { Keyword: name.slice(4, 14), PageSize: 5 }, s.read);
    assert.equal(listed.TotalCount, 1);
    assert.equal(listed.PageNo, 1);
    assert.equal(listed.PageSize, 5);
    assert.equal(listed.SortBy, 'desc');
    assert.equal(listed.RecordTemplateList[0].TemplateId, id);
    const byIds = await sdk.call('ListLiveRecordTemplates',
      { 'TemplateIds.1': id, 'TemplateIds.2': '0'.repeat(32), SortBy: 'asc' }, s.read);
    assert.equal(byIds.TotalCount, 1);
    assert.equal(byIds.SortBy, 'asc');
    const system = await sdk.call('ListLiveRecordTemplates', { Type: 'system' }, s.read);
    assert.equal(system.TotalCount, 0);

    // A whole replacement: name and formats; defaults come back filled in.
    await writer.call('UpdateLiveRecordTemplate',
      { TemplateId: id, Name: `${name}-v2`, RecordFormat: JSON.stringify([{ Format: 'mp4' }, { Format: 'flv' }]) },
      s.write);
    const after = (await sdk.call('GetLiveRecordTemplate', { TemplateId: id }, s.read)).RecordTemplate;
    assert.equal(after.Name, `${name}-v2`);
    assert.deepEqual(after.RecordFormatList.map((f) => f.Format), ['mp4', 'flv']);
    assert.equal(after.RecordFormatList[0].CycleDuration, 21600);
    assert.equal(after.RecordFormatList[0].OssObjectPrefix, 'record/{JobId}/{Sequence}_{EscapedStartTime}_{EscapedEndTime}');

    await writer.call('DeleteLiveRecordTemplate', { TemplateId: id }, s.del);
    await expectError(sdk.call('GetLiveRecordTemplate', { TemplateId: id }, s.read), 'TemplateNotFound', 404);
  });
}

test('what a recording template refuses is a 400 naming the field, in the API error format', async () => {
  const sdk = v3Client(server.creds);
  const e = await expectError(sdk.call('CreateLiveRecordTemplate',
    { Name: 'bad', RecordFormat: JSON.stringify([{ Format: 'm3u8', SliceOssObjectPrefix: 's/{Sequence}' }]) }, 'body'),
  'InvalidParam.RecordFormat', 400);
  assert.match(e.message, /entry 1: SliceOssObjectPrefix must contain \{UnixTimestamp\}/);
  const up = await expectError(sdk.call('CreateLiveRecordTemplate',
    { Name: 'bad', RecordFormat: JSON.stringify([{ Format: 'flv', OssObjectPrefix: '../../etc/{StartTime}{EndTime}' }]) }, 'body'),
  'InvalidParam.RecordFormat', 400);
  assert.match(up.message, /"\.\."/);
  await expectError(sdk.call('CreateLiveRecordTemplate', { Name: 'no formats' }, 'body'), 'MissingParameter', 400);
  await expectError(sdk.call('ListLiveRecordTemplates', { PageSize: 101 }, 'get'), 'InvalidParam.PageSize', 400);
  await expectError(sdk.call('GetLiveRecordTemplate', { TemplateId: 'nope' }, 'get'), 'TemplateNotFound', 404);
});

test('another account never sees nor changes a recording template', async () => {
  const mine = v3Client(server.creds);
  const { TemplateId: id } = await mine.call('CreateLiveRecordTemplate',
    { Name: 'private', RecordFormat: JSON.stringify([{ Format: 'flv' }]) }, 'body');
  const other = v3Client(newAccount('rec-other'));
  await expectError(other.call('GetLiveRecordTemplate', { TemplateId: id }, 'get'), 'TemplateNotFound', 404);
  await expectError(other.call('UpdateLiveRecordTemplate',
    { TemplateId: id, Name: 'x', RecordFormat: JSON.stringify([{ Format: 'flv' }]) }, 'body'), 'TemplateNotFound', 404);
  await expectError(other.call('DeleteLiveRecordTemplate', { TemplateId: id }, 'query'), 'TemplateNotFound', 404);
  assert.equal((await other.call('ListLiveRecordTemplates', {}, 'get')).TotalCount, 0);
  assert.equal((await mine.call('GetLiveRecordTemplate', { TemplateId: id }, 'get')).RecordTemplate.Name, 'private');
});

test('a RAM user needs ice:<Action> on the template', async () => {
  const root = v3Client(server.creds);
  const { TemplateId: id } = await root.call('CreateLiveRecordTemplate',
    { Name: 'ram', RecordFormat: JSON.stringify([{ Format: 'flv' }]) }, 'body');
  const reader = v3Client(newRamUser('rec-reader', {
    Version: '1',
    Statement: [{ Effect: 'Allow', Action: ['ice:GetLiveRecordTemplate'], Resource: [`acs:ice:*:*:template/${id}`] }],
  }));
  assert.equal((await reader.call('GetLiveRecordTemplate', { TemplateId: id }, 'get')).RecordTemplate.TemplateId, id);
  await expectError(reader.call('DeleteLiveRecordTemplate', { TemplateId: id }, 'query'), 'Forbidden.RAM', 403);
  await expectError(reader.call('ListLiveRecordTemplates', {}, 'get'), 'Forbidden.RAM', 403);
});

// Buckets: where record jobs will write. The operator's `floe admin bucket` commands, and the
// signed links through which the server reads a bucket's files.
test('buckets: the admin gives an account a directory whose files are read through signed links', async () => {
  const fs = require('node:fs');
  const path = require('node:path');
  const { AccountId } = admin(server.dataDir, 'account', 'show-root');
  const added = admin(server.dataDir, 'bucket', 'add', '--account', AccountId, '--name', 'rec-main',
    '--endpoint', 'oss-cn-shanghai.aliyuncs.com');
  assert.equal(added.Directory, path.join(fs.realpathSync(server.dataDir), 'buckets', 'rec-main'));
  assert.equal(added.Endpoint, 'oss-cn-shanghai.aliyuncs.com');
  assert.ok(fs.statSync(added.Directory).isDirectory());

  const refused = (args, code) => {
    assert.throws(() => admin(server.dataDir, 'bucket', ...args), (e) => e.json && e.json.Code === code, code);
  };
  refused(['add', '--account', AccountId, '--name', 'rec-main'], 'BucketAlreadyExists');
  refused(['add', '--account', AccountId, '--name', 'Rec_Main'], 'InvalidParam.BucketName');
  refused(['add', '--account', '9999999999999999', '--name', 'rec-none'], 'InvalidParam.AccountId');
  refused(['add', '--account', AccountId, '--name', 'rec-data', '--dir', server.dataDir], 'InvalidParam.Directory');
  refused(['add', '--account', AccountId, '--name', 'rec-up', '--dir', path.dirname(server.dataDir)], 'InvalidParam.Directory');
  refused(['add', '--account', AccountId, '--name', 'rec-in', '--dir', path.join(added.Directory, 'sub')], 'InvalidParam.Directory');
  refused(['add', '--account', AccountId, '--name', 'rec-own', '--dir', path.join(server.dataDir, 'preview')], 'InvalidParam.Directory');
  const elsewhere = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'floe-bucket-'));
  fs.writeFileSync(path.join(elsewhere, 'a-file'), 'x');
  refused(['add', '--account', AccountId, '--name', 'rec-file', '--dir', path.join(elsewhere, 'a-file', 'd')], 'DirectoryNotWritable');
  refused(['sign', '--name', 'rec-main', '--object', '../master.key'], 'InvalidParam.Object');
  refused(['sign', '--name', 'rec-none', '--object', 'x.ts'], 'NoSuchBucket');

  const other = admin(server.dataDir, 'account', 'create', '--name', 'bucket-other');
  admin(server.dataDir, 'bucket', 'add', '--account', other.AccountId, '--name', 'rec-other', '--dir', path.join(elsewhere, 'other'));
  assert.deepEqual(admin(server.dataDir, 'bucket', 'list', '--account', other.AccountId).Buckets.map((b) => b.BucketName), ['rec-other']);
  assert.deepEqual(admin(server.dataDir, 'bucket', 'list').Buckets.map((b) => b.BucketName), ['rec-main', 'rec-other']);

  // A file in the bucket, under a name with a space and CJK text, read back through its link.
  const object = 'record/day 1/录制.m3u8';
  fs.mkdirSync(path.join(added.Directory, 'record', 'day 1'), { recursive: true });
  fs.writeFileSync(path.join(added.Directory, object), '#EXTM3U\n');
  fs.symlinkSync(path.join(server.dataDir, 'master.key'), path.join(added.Directory, 'record', 'key.m3u8'));
  const link = admin(server.dataDir, 'bucket', 'sign', '--name', 'rec-main', '--object', object, '--ttl', '120');
  const base = `http://127.0.0.1:${server.port}`;
  const got = await fetch(base + link.Path);
  assert.equal(got.status, 200);
  assert.equal(got.headers.get('content-type'), 'application/vnd.apple.mpegurl');
  assert.equal(await got.text(), '#EXTM3U\n');
  // Another object under the same signature, a forged one, a link out of the bucket: refused.
  assert.equal((await fetch(base + link.Path.replace('.m3u8', '.ts'))).status, 403);
  assert.equal((await fetch(base + link.Path.replace(/\/[0-9a-f]{64}\//, `/${'0'.repeat(64)}/`))).status, 403);
  const keyLink = admin(server.dataDir, 'bucket', 'sign', '--name', 'rec-main', '--object', 'record/key.m3u8');
  const key = await fetch(base + keyLink.Path);
  assert.equal(key.status, 404);  // the link inside the bucket is not followed out
  // Deleting the bucket ends its links; its files stay where they are.
  assert.equal(admin(server.dataDir, 'bucket', 'delete', '--name', 'rec-main').Deleted, true);
  assert.equal((await fetch(base + link.Path)).status, 403);
  assert.ok(fs.existsSync(path.join(added.Directory, object)));
  refused(['delete', '--name', 'rec-main'], 'NoSuchBucket');
  fs.rmSync(elsewhere, { recursive: true, force: true });
});

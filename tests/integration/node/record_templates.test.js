// The five recording template actions through the official SDKs, unmodified, against a real
// `floe serve`, each call shaped as the generated SDK shapes it: Get and List as GET with the
// parameters in the query, Create and Update as a form body, Delete in the query of a POST
// (V3, ACS3-HMAC-SHA256 over the raw body); V1 (pop-core) reads with GET and writes with POST.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('./lib/server');
const { v1Client, v3Client, expectError } = require('./lib/clients');
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

// Each SDK, and where its calls put the parameters of each kind of action.
const SDKS = [
  { make: (c) => v1Client(c, 'GET'), read: undefined, write: undefined, del: undefined, v1: true },
  { make: (c) => v3Client(c), read: 'get', write: 'body', del: 'query' },
  { make: (c) => v3Client(c, { signatureAlgorithm: 'v2' }), read: 'get', write: 'body', del: 'query' },
];

for (const s of SDKS) {
  const sdkName = s.make({ port: 0, accessKeyId: 'x', accessKeySecret: 'y' }).name;
  test(`recording template lifecycle (${sdkName})`, async () => {
    const sdk = s.make(server.creds);
    // pop-core: reads as GET (everything in the query), writes as POST (everything in the body).
    const writer = s.v1 ? v1Client(server.creds, 'POST') : sdk;
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

// The five snapshot template actions through the official SDKs, unmodified, against a real
// `floe serve`, each call shaped as the generated SDK shapes it (Get and List as GET with the
// query; Create, Update and Delete as a form body): the flat Get, TemplateName, List items
// without formats, and the rules of the two naming modes.
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

for (const s of FAMILY_SDKS) {
  const sdkName = s.name;
  test(`snapshot template lifecycle (${sdkName})`, async () => {
    const sdk = s.reader(server.creds);
    const writer = s.writer(server.creds);
    const name = `shot-${sdkName}-${Date.now()} 截图 & = +`;
    const created = await writer.call('CreateLiveSnapshotTemplate', {
      TemplateName: name,
      TimeInterval: 10,
      OverwriteFormat: 'snapshot/{JobId}.jpg',
      SequenceFormat: 'snapshot/{JobId}/{UnixTimestamp}.jpg',
    }, s.write);
    assert.match(created.TemplateId, /^[0-9a-f]{32}$/);
    const id = created.TemplateId;

    const got = await sdk.call('GetLiveSnapshotTemplate', { TemplateId: id }, s.read);
    assert.equal(got.TemplateId, id);  // flat: no wrapping object
    assert.equal(got.TemplateName, name);
    assert.equal(got.Type, 'custom');
    assert.equal(got.TimeInterval, 10);
    assert.equal(got.OverwriteFormat, 'snapshot/{JobId}.jpg');
    assert.equal(got.SequenceFormat, 'snapshot/{JobId}/{UnixTimestamp}.jpg');
    assert.match(got.CreateTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.match(got.LastModified, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    const listed = await sdk.call('ListLiveSnapshotTemplates', { SearchKeyWord: name.slice(5, 16), PageSize: 3 }, s.read);
    assert.equal(listed.TotalCount, 1);
    assert.equal(listed.PageSize, 3);
    assert.equal(listed.SortBy, 'desc');
    assert.deepEqual(Object.keys(listed.TemplateList[0]).sort(), ['CreateTime', 'TemplateId', 'TemplateName', 'TimeInterval', 'Type']);
    // TemplateIds select; with SearchKeyWord they are ignored.
    const byIds = await sdk.call('ListLiveSnapshotTemplates', { 'TemplateIds.1': id }, s.read);
    assert.equal(byIds.TotalCount, 1);
    const ignored = await sdk.call('ListLiveSnapshotTemplates', { 'TemplateIds.1': '0'.repeat(32), SearchKeyWord: id }, s.read);
    assert.equal(ignored.TotalCount, 1);

    await writer.call('UpdateLiveSnapshotTemplate',
      { TemplateId: id, TemplateName: `${name}-v2`, TimeInterval: 60, SequenceFormat: 'shots/{Date}/{Sequence}.jpg' }, s.write);
    const after = await sdk.call('GetLiveSnapshotTemplate', { TemplateId: id }, s.read);
    assert.equal(after.TemplateName, `${name}-v2`);
    assert.equal(after.TimeInterval, 60);
    assert.equal(after.OverwriteFormat, undefined);  // a whole replacement
    assert.equal(after.SequenceFormat, 'shots/{Date}/{Sequence}.jpg');

    await writer.call('DeleteLiveSnapshotTemplate', { TemplateId: id }, s.write);
    await expectError(sdk.call('GetLiveSnapshotTemplate', { TemplateId: id }, s.read), 'TemplateNotFound', 404);
  });
}

test('what a snapshot template refuses is a 400 naming the field', async () => {
  const sdk = v3Client(server.creds);
  const create = (p) => sdk.call('CreateLiveSnapshotTemplate', { TemplateName: 't', TimeInterval: 10, ...p }, 'body');
  await expectError(create({ TimeInterval: 4, OverwriteFormat: 'a/{JobId}.jpg' }), 'InvalidParam.TimeInterval', 400);
  await expectError(create({}), 'MissingParameter', 400);
  await expectError(create({ OverwriteFormat: 'a/{UnixTimestamp}.jpg' }), 'InvalidParam.OverwriteFormat', 400);
  await expectError(create({ SequenceFormat: 'a/{JobId}.jpg' }), 'InvalidParam.SequenceFormat', 400);
  await expectError(create({ SequenceFormat: '../{Sequence}.jpg' }), 'InvalidParam.SequenceFormat', 400);
  await expectError(create({ OverwriteFormat: 'a/{JobId}.png' }), 'InvalidParam.OverwriteFormat', 400);
  await expectError(sdk.call('CreateLiveSnapshotTemplate', { TimeInterval: 10, OverwriteFormat: 'a.jpg' }, 'body'), 'MissingParameter', 400);
  await expectError(sdk.call('ListLiveSnapshotTemplates', { SearchKeyWord: 'x'.repeat(129) }, 'get'), 'InvalidParam.SearchKeyWord', 400);
});

test('another account never sees a snapshot template; a recording template is not one', async () => {
  const mine = v3Client(server.creds);
  const { TemplateId: id } = await mine.call('CreateLiveSnapshotTemplate',
    { TemplateName: 'private', TimeInterval: 5, OverwriteFormat: 'p/{JobId}.jpg' }, 'body');
  const { AccountId } = admin(server.dataDir, 'account', 'create', '--name', 'shot-other');
  admin(server.dataDir, 'account', 'enable-ice', '--account', AccountId);
  const k = admin(server.dataDir, 'key', 'create', '--account', AccountId);
  const other = v3Client({ port: server.port, accessKeyId: k.AccessKeyId, accessKeySecret: k.AccessKeySecret });
  await expectError(other.call('GetLiveSnapshotTemplate', { TemplateId: id }, 'get'), 'TemplateNotFound', 404);
  await expectError(other.call('DeleteLiveSnapshotTemplate', { TemplateId: id }, 'body'), 'TemplateNotFound', 404);
  assert.equal((await other.call('ListLiveSnapshotTemplates', {}, 'get')).TotalCount, 0);
  await expectError(mine.call('GetLiveRecordTemplate', { TemplateId: id }, 'get'), 'TemplateNotFound', 404);
});

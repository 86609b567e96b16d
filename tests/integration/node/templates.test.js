// The five template actions driven through the official SDKs, unmodified, against a real
// `floe serve` process: V1 (@alicloud/pop-core, GET and POST), V3 (@alicloud/openapi-client)
// and openapi-client's V1 mode ('v2' algorithm name, HMAC-SHA1).
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { startServer } = require('./lib/server');
const { v1Client, v3Client, expectError } = require('./lib/clients');

const FULL_CONFIG = {
  VideoParams: { Codec: 'H.264', Width: '1280', Height: '720', Fps: '30', Bitrate: '2500', Gop: '60', Profile: '3' },
  AudioParams: { Codec: 'AAC', Bitrate: '128', Samplerate: '44100', Channels: '2', Profile: 'aac_low' },
};


let server;
test.before(async () => {
  server = await startServer();
});
test.after(async () => {
  if (server) await server.stop();
});

test('first start writes credentials.json with mode 0600 and serves /healthz', async () => {
  const st = fs.statSync(path.join(server.dataDir, 'credentials.json'));
  assert.equal(st.mode & 0o777, 0o600);
  const creds = JSON.parse(fs.readFileSync(path.join(server.dataDir, 'credentials.json')));
  assert.match(creds.AccessKeyId, /^LTAI[A-Za-z0-9]{20}$/);
  assert.match(creds.AccessKeySecret, /^[A-Za-z0-9]{30}$/);
  const res = await fetch(`http://127.0.0.1:${server.port}/healthz`);
  assert.equal(res.status, 200);
});

for (const make of [
  (c) => v1Client(c, 'GET'),
  (c) => v1Client(c, 'POST'),
  (c) => v3Client(c),
  (c) => v3Client(c, { signatureAlgorithm: 'v2' }),
]) {
  test(`template lifecycle through the SDK (${make({ port: 0, accessKeyId: 'x', accessKeySecret: 'y' }).name})`, async () => {
    const sdk = make(server.creds);
    const name = `tpl-${sdk.name}-${Date.now()} 模板*~`;
    const created = await sdk.call('CreateLiveTranscodeTemplate', {
      Name: name,
      Type: 'normal',
      TemplateConfig: JSON.stringify(FULL_CONFIG),
    });
    assert.match(created.RequestId, /^[0-9A-F-]{36}$/);
    assert.match(created.TemplateId, /^[0-9a-f]{32}$/);
    const id = created.TemplateId;

    const got = await sdk.call('GetLiveTranscodeTemplate', { TemplateId: id });
    assert.equal(got.TemplateContent.TemplateId, id);
    assert.equal(got.TemplateContent.Name, name);
    assert.equal(got.TemplateContent.Type, 'normal');
    assert.equal(got.TemplateContent.Category, 'customized');
    assert.match(got.TemplateContent.CreateTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.deepEqual(got.TemplateContent.TemplateConfig, FULL_CONFIG);

    const listed = await sdk.call('ListLiveTranscodeTemplates', { KeyWord: name.slice(4, 12) });
    assert.equal(listed.TotalCount, 1);
    assert.equal(listed.TemplateContentList[0].TemplateId, id);
    const byId = await sdk.call('ListLiveTranscodeTemplates', { KeyWord: id, Category: 'customized' });
    assert.equal(byId.TotalCount, 1);

    // Leaf-by-leaf merge: only Height and the audio bitrate change; Gop is cleared.
    await sdk.call('UpdateLiveTranscodeTemplate', {
      TemplateId: id,
      Name: `${name}-v2`,
      TemplateConfig: JSON.stringify({ VideoParams: { Height: 540, Gop: '' }, AudioParams: { Bitrate: '96' } }),
    });
    const after = (await sdk.call('GetLiveTranscodeTemplate', { TemplateId: id })).TemplateContent;
    assert.equal(after.Name, `${name}-v2`);
    const expected = JSON.parse(JSON.stringify(FULL_CONFIG));
    expected.VideoParams.Height = '540';
    delete expected.VideoParams.Gop;
    expected.AudioParams.Bitrate = '96';
    assert.deepEqual(after.TemplateConfig, expected);

    // A refused update changes nothing.
    const e = await expectError(
      sdk.call('UpdateLiveTranscodeTemplate', {
        TemplateId: id,
        Name: 'never',
        TemplateConfig: JSON.stringify({ VideoParams: { Width: '1920', Fps: '61' } }),
      }),
      'InvalidParam.VideoParams.Fps',
      400,
    );
    assert.match(e.message, /1-60/);
    const unchanged = (await sdk.call('GetLiveTranscodeTemplate', { TemplateId: id })).TemplateContent;
    assert.deepEqual(unchanged, after);
    // The merged template is checked: aac_he_v2 cannot carry the stored 96 kbit/s.
    const merged = await expectError(
      sdk.call('UpdateLiveTranscodeTemplate', {
        TemplateId: id,
        TemplateConfig: JSON.stringify({ AudioParams: { Profile: 'aac_he_v2' } }),
      }),
      'InvalidParam.AudioParams.Bitrate',
      400,
    );
    assert.match(merged.message, /aac_he_v2 with 2 channel\(s\) carries 16-64 kbit\/s/);
    assert.deepEqual((await sdk.call('GetLiveTranscodeTemplate', { TemplateId: id })).TemplateContent, after);

    await sdk.call('DeleteLiveTranscodeTemplate', { TemplateId: id });
    await expectError(sdk.call('GetLiveTranscodeTemplate', { TemplateId: id }), 'ResourceNotFound', 404);
    await expectError(sdk.call('DeleteLiveTranscodeTemplate', { TemplateId: id }), 'ResourceNotFound', 404);
  });
}

test('validation errors as the SDKs surface them', async () => {
  const v1 = v1Client(server.creds, 'POST');
  const v3 = v3Client(server.creds);
  for (const sdk of [v1, v3]) {
    await expectError(sdk.call('CreateLiveTranscodeTemplate', { Type: 'normal' }), 'MissingParameter', 400);
    await expectError(sdk.call('CreateLiveTranscodeTemplate', { Name: 'x' }), 'MissingParameter', 400);
    await expectError(
      sdk.call('CreateLiveTranscodeTemplate', { Name: 'x', Type: 'fancy' }),
      'InvalidParam.Type',
      400,
    );
    const cases = [
      [{ VideoParams: { Height: '127', Fps: '30', Bitrate: '100' } }, 'InvalidParam.VideoParams.Height'],
      [{ VideoParams: { Height: '720', Fps: '30', Bitrate: '6001' } }, 'InvalidParam.VideoParams.Bitrate'],
      [{ VideoParams: { Height: '72O', Fps: '30', Bitrate: '100' } }, 'InvalidParam.VideoParams.Height'],
      [{ VideoParams: { Height: '720', Fps: '30', Bitrate: '100', Gop: '3001' } }, 'InvalidParam.VideoParams.Gop'],
      [{ VideoParams: { Width: '2560', Height: '1441', Fps: '30', Bitrate: '100' } }, 'InvalidParam.VideoParams.Width'],
      [{ VideoParams: { Height: '720', Fps: '30', Bitrate: '100' }, AudioParams: { Samplerate: '22049' } }, 'InvalidParam.AudioParams.Samplerate'],
      [{ VideoParams: { Height: '720', Fps: '30', Bitrate: '100' }, AudioParams: { Profile: 'aac_ld', Samplerate: '48000' } }, 'InvalidParam.AudioParams.Samplerate'],
      [{ VideoParams: { Height: '720', Fps: '30', Bitrate: '100' }, AudioParams: { Channels: '3' } }, 'InvalidParam.AudioParams.Channels'],
      // What each AAC profile can carry (README, "Audio profiles"), defaults included.
      [{ VideoParams: { Height: '720', Fps: '30', Bitrate: '100' }, AudioParams: { Profile: 'aac_he_v2', Channels: '1' } }, 'InvalidParam.AudioParams.Channels'],
      [{ VideoParams: { Height: '720', Fps: '30', Bitrate: '100' }, AudioParams: { Profile: 'aac_he_v2', Bitrate: '96' } }, 'InvalidParam.AudioParams.Bitrate'],
      [{ VideoParams: { Height: '720', Fps: '30', Bitrate: '100' }, AudioParams: { Profile: 'aac_he', Samplerate: '22050' } }, 'InvalidParam.AudioParams.Samplerate'],
      [{ VideoParams: { Height: '720', Fps: '30', Bitrate: '100' }, AudioParams: { Profile: 'aac_ld', Bitrate: '300' } }, 'InvalidParam.AudioParams.Bitrate'],
      [{ VideoParams: { Height: '720', Bitrate: '100' } }, 'MissingParameter'],
    ];
    for (const [config, code] of cases) {
      const e = await expectError(
        sdk.call('CreateLiveTranscodeTemplate', { Name: 'x', Type: 'normal', TemplateConfig: JSON.stringify(config) }),
        code,
        400,
      );
      assert.ok(e.message.length > 10);
    }
    await expectError(
      sdk.call('CreateLiveTranscodeTemplate', { Name: 'x', Type: 'normal', TemplateConfig: '{not json' }),
      'InvalidParam.TemplateConfig',
      400,
    );
    await expectError(sdk.call('ListLiveTranscodeTemplates', { PageSize: 101 }), 'InvalidParam.PageSize', 400);
    await expectError(
      sdk.call('UpdateLiveTranscodeTemplate', { TemplateId: '00000000000000000000000000000720', Name: 'mine' }),
      'InvalidParam.TemplateReadOnly',
      400,
    );
    await expectError(sdk.call('NoSuchAction', {}), 'InvalidAction.NotFound', 404);
  }
});

test('customized templates are limited per account (--max-templates-per-account)', async () => {
  const limited = await startServer({ args: ['--max-templates-per-account', '2'] });
  try {
    for (const sdk of [v1Client(limited.creds, 'POST'), v3Client(limited.creds)]) {
      const create = (n) => sdk.call('CreateLiveTranscodeTemplate', { Name: n, Type: 'normal', TemplateConfig: JSON.stringify(FULL_CONFIG) });
      const { TemplateId: first } = await create(`q1-${sdk.name}`);
      await create(`q2-${sdk.name}`);
      const e = await expectError(create(`q3-${sdk.name}`), 'QuotaExceeded.Templates', 403);
      assert.match(e.message, /2 customized templates/);
      const listed = await sdk.call('ListLiveTranscodeTemplates', { Category: 'customized' });
      assert.equal(listed.TotalCount, 2);
      await sdk.call('DeleteLiveTranscodeTemplate', { TemplateId: first });
      const { TemplateId: third } = await create(`q3-${sdk.name}`);
      // Empty again for the next SDK.
      for (const t of (await sdk.call('ListLiveTranscodeTemplates', { Category: 'customized' })).TemplateContentList) {
        await sdk.call('DeleteLiveTranscodeTemplate', { TemplateId: t.TemplateId });
      }
      assert.match(third, /^[0-9a-f]{32}$/);
    }
  } finally {
    await limited.stop();
  }
});

test('list: system templates, filters, sorting and paging', async () => {
  const sdk = v3Client(server.creds);
  const sys = await sdk.call('ListLiveTranscodeTemplates', { Category: 'system', SortBy: 'asc', PageSize: 100 });
  assert.equal(sys.TotalCount, 5);
  assert.deepEqual(
    sys.TemplateContentList.map((t) => t.Name).sort(),
    ['system-h264-1080p', 'system-h264-360p', 'system-h264-480p', 'system-h264-540p', 'system-h264-720p'],
  );
  const prefix = `page-${Date.now()}`;
  const ids = [];
  for (let i = 0; i < 5; i++) {
    const codec = i % 2 ? 'H.265' : 'H.264';
    const r = await sdk.call('CreateLiveTranscodeTemplate', {
      Name: `${prefix}-${i}`,
      Type: i === 4 ? 'audio-only' : 'normal',
      TemplateConfig: JSON.stringify(
        i === 4 ? { AudioParams: { Codec: 'MP3', Bitrate: '128' } } : { VideoParams: { Codec: codec, Height: '480', Fps: '25', Bitrate: '800' } },
      ),
    });
    ids.push(r.TemplateId);
    await new Promise((res) => setTimeout(res, 5));
  }
  const desc = await sdk.call('ListLiveTranscodeTemplates', { KeyWord: prefix, PageSize: 2, PageNo: 1 });
  assert.equal(desc.TotalCount, 5);
  assert.deepEqual(desc.TemplateContentList.map((t) => t.TemplateId), [ids[4], ids[3]]);
  const page3 = await sdk.call('ListLiveTranscodeTemplates', { KeyWord: prefix, PageSize: 2, PageNo: 3 });
  assert.deepEqual(page3.TemplateContentList.map((t) => t.TemplateId), [ids[0]]);
  const asc = await sdk.call('ListLiveTranscodeTemplates', { KeyWord: prefix, SortBy: 'asc' });
  assert.deepEqual(asc.TemplateContentList.map((t) => t.TemplateId), ids);
  const h265 = await sdk.call('ListLiveTranscodeTemplates', { KeyWord: prefix, VideoCodec: 'H.265' });
  assert.deepEqual(h265.TemplateContentList.map((t) => t.TemplateId).sort(), [ids[1], ids[3]].sort());
  const audio = await sdk.call('ListLiveTranscodeTemplates', { KeyWord: prefix, Type: 'audio-only' });
  assert.deepEqual(audio.TemplateContentList.map((t) => t.TemplateId), [ids[4]]);
});

test('signature failures as the SDKs surface them', async () => {
  const wrongSecret = { ...server.creds, accessKeySecret: 'not-the-secret' };
  await expectError(v1Client(wrongSecret).call('ListLiveTranscodeTemplates'), 'SignatureDoesNotMatch');
  await expectError(v3Client(wrongSecret).call('ListLiveTranscodeTemplates'), 'SignatureDoesNotMatch', 400);
  const unknown = { ...server.creds, accessKeyId: 'LTAIdoesnotexist0000000' };
  await expectError(v1Client(unknown).call('ListLiveTranscodeTemplates'), 'InvalidAccessKeyId.NotFound');
  await expectError(v3Client(unknown).call('ListLiveTranscodeTemplates'), 'InvalidAccessKeyId.NotFound', 404);
});

test('oversized request body gets 413', async () => {
  const status = await new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: server.port, method: 'POST', path: '/', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      (res) => {
        res.resume();
        resolve(res.statusCode);
      },
    );
    req.on('error', reject);
    req.end('Name=' + 'x'.repeat(2 * 1024 * 1024));
  });
  assert.equal(status, 413);
});

test('SIGTERM stops cleanly; acknowledged writes and the root key survive a restart and a SIGKILL', async () => {
  const sdk = v3Client(server.creds);
  const { TemplateId } = await sdk.call('CreateLiveTranscodeTemplate', {
    Name: 'durable',
    Type: 'origin',
    TemplateConfig: JSON.stringify({ AudioParams: { Codec: 'AAC', Bitrate: '64' } }),
  });
  const code = await server.stop('SIGTERM');
  assert.equal(code, 0);
  assert.match(server.log(), /event=stopped/);
  const before = fs.readFileSync(path.join(server.dataDir, 'credentials.json'), 'utf8');
  server = await startServer({ dataDir: server.dataDir });
  assert.equal(fs.readFileSync(path.join(server.dataDir, 'credentials.json'), 'utf8'), before);
  const got = await v3Client(server.creds).call('GetLiveTranscodeTemplate', { TemplateId });
  assert.equal(got.TemplateContent.Name, 'durable');
  assert.equal(got.TemplateContent.Type, 'origin');
  // Acknowledged means durable: SIGKILL right after the answer loses nothing.
  const after = v1Client(server.creds);
  const ids = [];
  for (let i = 0; i < 20; i++) {
    ids.push((await after.call('CreateLiveTranscodeTemplate', { Name: `k${i}`, Type: 'origin' })).TemplateId);
  }
  await after.call('UpdateLiveTranscodeTemplate', { TemplateId: ids[19], Name: 'renamed-before-kill' });
  assert.equal(await server.stop('SIGKILL'), 'SIGKILL');
  server = await startServer({ dataDir: server.dataDir });
  const back = v1Client(server.creds);
  for (const id of ids) await back.call('GetLiveTranscodeTemplate', { TemplateId: id });
  assert.equal((await back.call('GetLiveTranscodeTemplate', { TemplateId: ids[19] })).TemplateContent.Name, 'renamed-before-kill');
});

test('every request is logged with action, code and latency in the access log, not the server log', async () => {
  const { RequestId } = await v1Client(server.creds).call('ListLiveTranscodeTemplates', { PageSize: 1 });
  // Written before the answer is sent.
  assert.match(server.accessLog(), new RegExp(`event=request request_id=${RequestId} action=ListLiveTranscodeTemplates status=200 code=OK latency_ms=[0-9.]+`));
  assert.doesNotMatch(server.log(), /event=request /);
});

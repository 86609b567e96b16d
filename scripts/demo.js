// Shows the template API working through the official SDK (V3 signatures): creates a template,
// reads it back, updates one leaf, lists, and deletes it again.
'use strict';
const fs = require('node:fs');
const { v3Client } = require('../tests/integration/node/lib/clients');

async function main() {
  const [endpoint, credsPath] = process.argv.slice(2);
  const creds = JSON.parse(fs.readFileSync(credsPath, 'utf8'));
  const port = Number(new URL(endpoint).port);
  const sdk = v3Client({ port, accessKeyId: creds.AccessKeyId, accessKeySecret: creds.AccessKeySecret });
  const step = (what, value) => console.log(`demo: ${what}: ${JSON.stringify(value)}`);

  const { TemplateId } = await sdk.call('CreateLiveTranscodeTemplate', {
    Name: 'demo-720p',
    Type: 'normal',
    TemplateConfig: JSON.stringify({
      VideoParams: { Codec: 'H.264', Height: '720', Fps: '30', Bitrate: '2500', Gop: '60', Profile: '3' },
      AudioParams: { Codec: 'AAC', Bitrate: '128', Samplerate: '44100', Channels: '2' },
    }),
  });
  step('CreateLiveTranscodeTemplate', { TemplateId });
  await sdk.call('UpdateLiveTranscodeTemplate', { TemplateId, TemplateConfig: JSON.stringify({ VideoParams: { Bitrate: '2000' } }) });
  const got = await sdk.call('GetLiveTranscodeTemplate', { TemplateId });
  step('GetLiveTranscodeTemplate after updating Bitrate', got.TemplateContent.TemplateConfig.VideoParams);
  const list = await sdk.call('ListLiveTranscodeTemplates', { PageSize: 100 });
  step('ListLiveTranscodeTemplates', list.TemplateContentList.map((t) => `${t.Name} (${t.Category})`));
  await sdk.call('DeleteLiveTranscodeTemplate', { TemplateId });
  step('DeleteLiveTranscodeTemplate', 'done');
}

main().catch((err) => {
  console.error(`demo failed: ${err.code || ''} ${err.message}`);
  process.exit(1);
});

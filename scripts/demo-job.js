// Part of `make run`: a live transcoding job through the API. Submits a job with the official
// SDK (V3) that reads rtmp://127.0.0.1:PORT/live/source (a publisher scripts/demo-job.sh runs)
// and pushes through the LiveCenter domain `floe serve` was given, waits until it runs, shows
// the output with ffprobe and the job as GetLiveTranscodeJob answers, then stops it.
'use strict';
const fs = require('node:fs');
const { execFileSync } = require('node:child_process');
const { v3Client } = require('../tests/integration/node/lib/clients');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const [endpoint, credsPath, rtmpPort, domain] = process.argv.slice(2);
  const creds = JSON.parse(fs.readFileSync(credsPath, 'utf8'));
  const sdk = v3Client({ port: Number(new URL(endpoint).port), accessKeyId: creds.AccessKeyId, accessKeySecret: creds.AccessKeySecret });
  const step = (what, value) => console.log(`demo: ${what}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);

  const { TemplateId } = await sdk.call('CreateLiveTranscodeTemplate', {
    Name: 'demo-360p', Type: 'normal',
    TemplateConfig: JSON.stringify({
      VideoParams: { Codec: 'H.264', Height: '360', Fps: '25', Bitrate: '800', Gop: '50', Profile: '2' },
      AudioParams: { Codec: 'AAC', Bitrate: '96', Samplerate: '44100', Channels: '2' },
    }),
  });
  const { JobId } = await sdk.call('SubmitLiveTranscodeJob', {
    Name: 'demo', TemplateId, StartMode: 0,
    StreamInput: JSON.stringify({ Type: 'rtmp', InputUrl: `rtmp://127.0.0.1:${rtmpPort}/live/source` }),
    TranscodeOutput: JSON.stringify({ Type: 'LiveCenter', DomainName: domain }),
  });
  step('SubmitLiveTranscodeJob', { JobId });
  let job;
  for (let i = 0; i < 100; i++) {
    job = (await sdk.call('GetLiveTranscodeJob', { JobId })).Job;
    if (job.Process && job.Process.State === 'running' && job.Process.Stats) break;
    await sleep(200);
  }
  const out = job.OutputStream.StreamInfos[0].OutputUrl;
  step('GetLiveTranscodeJob', { Status: job.Status, Output: out, Process: job.Process && { State: job.Process.State, Pid: job.Process.Pid },
    Events: job.Events.map((e) => e.Event) });
  const probe = execFileSync('ffprobe', ['-hide_banner', '-v', 'error', '-rw_timeout', '10000000', '-show_entries',
    'stream=codec_name,profile,width,height,r_frame_rate,sample_rate,channels', '-of', 'compact=p=0', out], { encoding: 'utf8', timeout: 15000 });
  probe.trim().split('\n').forEach((l) => step('ffprobe of the output', l));
  await sleep(3000);
  job = (await sdk.call('GetLiveTranscodeJob', { JobId })).Job;
  const o = job.Process && job.Process.Stats && job.Process.Stats.outputs[0];
  if (o) step('job stats', `${o.fps.toFixed(1)} fps, ${Math.round(o.kbps)} kbit/s, encode ${o.encode_latency_ms.toFixed(1)} ms/frame`);
  const t0 = Date.now();
  await sdk.call('SendLiveTranscodeJobCommand', { JobId, Command: 'stop' });
  step('SendLiveTranscodeJobCommand stop', `process gone after ${Date.now() - t0} ms`);
  await sdk.call('DeleteLiveTranscodeJob', { JobId });
  await sdk.call('DeleteLiveTranscodeTemplate', { TemplateId });
}

main().catch((err) => {
  console.error(`demo failed: ${err.code || ''} ${err.message}`);
  process.exit(1);
});

// What the record job tests share: a `floe serve` whose record jobs end 5 s after their input
// (the API's 3 minutes), with nginx-rtmp, /metrics and a bucket of the root account; the three
// formats a template records into; ffprobe of a file link; a sample of /metrics.
'use strict';
const { execFile } = require('node:child_process');
const { startServer } = require('./server');
const { startNginx } = require('./media');
const { admin } = require('./admin');

const RECORD_FORMATS = [
  { Format: 'm3u8', OssObjectPrefix: 'record/{JobId}/{Sequence}_{EscapedStartTime}_{EscapedEndTime}',
    SliceOssObjectPrefix: 'record/{JobId}/ts/{UnixTimestamp}_{Sequence}', SliceDuration: 5 },
  { Format: 'flv', OssObjectPrefix: 'record/{JobId}/{Sequence}_{EscapedStartTime}_{EscapedEndTime}' },
  { Format: 'mp4', OssObjectPrefix: 'record/{JobId}/{Sequence}_{EscapedStartTime}_{EscapedEndTime}' },
];

async function startRecording() {
  const nginx = await startNginx();
  const server = await startServer({ args: ['--record-input-wait-s', '5', '--metrics-listen', '127.0.0.1:0', '--node-id', 'rec-node'] });
  const { AccountId } = admin(server.dataDir, 'account', 'show-root');
  const bucketDir = admin(server.dataDir, 'bucket', 'add', '--account', AccountId, '--name', 'rec-jobs',
    '--endpoint', 'oss-local').Directory;
  return {
    server, nginx, bucketDir,
    async stop() {
      await server.stop();
      await nginx.stop();
    },
  };
}

// An HTTP endpoint on 127.0.0.1 that takes callbacks (NotifyUrl, CallbackUrl): every POST's
// JSON body in `posts`, answered 200.
async function startReceiver() {
  const http = require('node:http');
  const posts = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      posts.push({ path: req.url, type: req.headers['content-type'], body: JSON.parse(body) });
      res.writeHead(200).end();
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    posts,
    url: (path) => `http://127.0.0.1:${server.address().port}${path}`,
    stop: () => new Promise((r) => server.close(r)),
  };
}

// One sample of the server's /metrics ("name{labels}" as printed), or undefined.
async function metric(server, series) {
  const text = await (await fetch(`http://127.0.0.1:${server.metricsPort}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

// ffprobe of a URL (a RecordUrl) or a file: the container's duration and format, its video and
// audio streams (codec_name, width, height).
function probeUrl(url) {
  return new Promise((resolve, reject) => {
    execFile('ffprobe', ['-v', 'error', '-show_entries',
      'format=duration,format_name:stream=codec_type,codec_name,width,height', '-of', 'json', url],
    { timeout: 20000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`ffprobe ${url}: ${stderr}`));
      const j = JSON.parse(stdout);
      resolve({ duration: Number(j.format.duration), format: j.format.format_name,
        video: j.streams.find((s) => s.codec_type === 'video'),
        audio: j.streams.find((s) => s.codec_type === 'audio') });
    });
  });
}

module.exports = { RECORD_FORMATS, startRecording, startReceiver, probeUrl, metric };

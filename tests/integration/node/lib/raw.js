// Hand-built signed requests, independent of the SDKs, for what an SDK never sends: replays,
// tampered parameters, stale timestamps, missing signature fields.
'use strict';
const crypto = require('node:crypto');
const http = require('node:http');

function pct(s) {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

function utc(date) {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// Returns the query string of a V1-signed GET. `mutate(params)` runs after signing.
function signV1({ accessKeyId, accessKeySecret }, params, { timestamp, nonce, method = 'GET', mutate } = {}) {
  const all = {
    Format: 'JSON',
    Version: '2020-11-09',
    AccessKeyId: accessKeyId,
    SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0',
    SignatureNonce: nonce || crypto.randomUUID(),
    Timestamp: timestamp || utc(new Date()),
    ...params,
  };
  const canonical = Object.keys(all)
    .sort()
    .map((k) => `${pct(k)}=${pct(all[k])}`)
    .join('&');
  const toSign = `${method}&${pct('/')}&${pct(canonical)}`;
  all.Signature = crypto.createHmac('sha1', `${accessKeySecret}&`).update(toSign).digest('base64');
  if (mutate) mutate(all);
  return Object.keys(all)
    .map((k) => `${pct(k)}=${pct(all[k])}`)
    .join('&');
}

// Sends a raw HTTP request and returns { status, body }.
function send(port, { method = 'GET', path = '/', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let data = '';
      res.on('data', (c) => (data += c));
      res.on('end', () => {
        let json;
        try {
          json = JSON.parse(data);
        } catch {
          json = { raw: data };
        }
        resolve({ status: res.statusCode, body: json });
      });
    });
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

module.exports = { signV1, send, utc, pct };

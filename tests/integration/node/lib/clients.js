// The two official SDK clients, unmodified, pointed at a Floe endpoint:
//  - V1: @alicloud/pop-core RPCClient (HMAC-SHA1)
//  - V3: @alicloud/openapi-client (ACS3-HMAC-SHA256), called the way generated product SDKs
//        call it: style RPC to "/", the parameters where the action's generated SDK puts them.
'use strict';
const RPCClient = require('@alicloud/pop-core').RPCClient;
const OpenApi = require('@alicloud/openapi-client');
const OpenApiUtil = require('@alicloud/openapi-util').default;
const Util = require('@alicloud/tea-util');

const VERSION = '2020-11-09';

function v1Client({ port, accessKeyId, accessKeySecret }, method = 'POST') {
  const client = new RPCClient({
    accessKeyId,
    accessKeySecret,
    endpoint: `http://127.0.0.1:${port}`,
    apiVersion: VERSION,
  });
  return {
    name: `v1-${method}`,
    async call(action, params = {}) {
      // pop-core parses with json-bigint (null-prototype objects): hand back plain ones.
      return JSON.parse(JSON.stringify(await client.request(action, params, { method, timeout: 10000 })));
    },
  };
}

function v3Client({ port, accessKeyId, accessKeySecret }, { signatureAlgorithm } = {}) {
  const config = new OpenApi.Config({
    accessKeyId,
    accessKeySecret,
    endpoint: `127.0.0.1:${port}`,
    protocol: 'http',
    readTimeout: 10000,
    connectTimeout: 5000,
  });
  if (signatureAlgorithm) config.signatureAlgorithm = signatureAlgorithm;
  const client = new OpenApi.default(config);
  return {
    name: signatureAlgorithm === 'v2' ? 'openapi-v2' : 'v3',
    // placement: where the generated SDK of the action puts its parameters: 'query' of a POST
    // (the transcoding family), 'get' (the query of a GET: the recording and snapshot families'
    // reads) or 'body' (a form body: their writes).
    async call(action, params = {}, placement = 'query') {
      const req = placement === 'body'
        ? new OpenApi.OpenApiRequest({ body: OpenApiUtil.parseToMap(params) })
        : new OpenApi.OpenApiRequest({ query: OpenApiUtil.query(params) });
      const p = new OpenApi.Params({
        action,
        version: VERSION,
        protocol: 'HTTP',
        pathname: '/',
        method: placement === 'get' ? 'GET' : 'POST',
        authType: 'AK',
        style: 'RPC',
        reqBodyType: 'formData',
        bodyType: 'json',
      });
      const res = await client.callApi(p, req, new Util.RuntimeOptions({ autoretry: false }));
      return res.body;
    },
  };
}

// The official SDKs as the generated SDKs of the recording and snapshot families call them:
// a reader and a writer, and where each kind of action puts its parameters (`read`: a GET with
// the query; `write`: a form body; `del`: the query of a POST, for the Delete actions that put
// them there). pop-core decides for itself: reads as GET, writes as POST with a form body.
const FAMILY_SDKS = [
  { name: 'v1', reader: (c) => v1Client(c, 'GET'), writer: (c) => v1Client(c, 'POST') },
  { name: 'v3', reader: (c) => v3Client(c), writer: (c) => v3Client(c), read: 'get', write: 'body', del: 'query' },
  {
    name: 'openapi-v2',
    reader: (c) => v3Client(c, { signatureAlgorithm: 'v2' }),
    writer: (c) => v3Client(c, { signatureAlgorithm: 'v2' }),
    read: 'get',
    write: 'body',
    del: 'query',
  },
];

// The error code as each SDK surfaces it, and the HTTP status: openapi-client copies it into
// err.data.statusCode; pop-core keeps it only in err.entry.response.statusCode.
function errorOf(err) {
  const entryStatus = err.entry && err.entry.response ? err.entry.response.statusCode : undefined;
  if (err.data && err.data.Code) {
    return { code: err.data.Code, message: err.data.Message, status: err.data.statusCode ?? entryStatus };
  }
  return { code: err.code, message: err.message, status: err.statusCode ?? entryStatus };
}

// Awaits a call that must fail with `code` (and the HTTP `status`, when given: every SDK here
// surfaces it, so a missing status fails too).
async function expectError(promise, code, status) {
  const assert = require('node:assert/strict');
  try {
    await promise;
  } catch (err) {
    const e = errorOf(err);
    assert.equal(e.code, code, `expected ${code}, got ${e.code}: ${e.message}`);
    if (status !== undefined) assert.equal(e.status, status, `expected HTTP ${status} with ${code}`);
    return e;
  }
  assert.fail(`expected error ${code}, the call succeeded`);
}

module.exports = { v1Client, v3Client, FAMILY_SDKS, errorOf, expectError, VERSION };

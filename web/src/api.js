// The console is just another API client: it signs each call with V3 (ACS3-HMAC-SHA256) through
// WebCrypto, as the official SDKs do, and RAM applies to it like to any other key. The key
// pair lives in sessionStorage only (gone when the tab closes).
const VERSION = '2020-11-09';
const KEY = 'floe.credentials';
const enc = new TextEncoder();

// RFC 3986 percent-encoding, as the server's canonical query uses it.
export function pct(s) {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

const hex = (buf) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('');

async function sha256Hex(text) {
  return hex(await crypto.subtle.digest('SHA-256', enc.encode(text)));
}

async function hmacHex(secret, text) {
  const key = await crypto.subtle.importKey('raw', enc.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return hex(await crypto.subtle.sign('HMAC', key, enc.encode(text)));
}

export class ApiError extends Error {
  constructor(status, body) {
    super(body.Message || `HTTP ${status}`);
    this.status = status;
    this.code = body.Code || `HTTP${status}`;
    this.requestId = body.RequestId;
  }
}

export function credentials() {
  try {
    return JSON.parse(sessionStorage.getItem(KEY));
  } catch {
    return null;
  }
}

export function signIn(accessKeyId, accessKeySecret) {
  sessionStorage.setItem(KEY, JSON.stringify({ accessKeyId, accessKeySecret }));
}

export function signOut() {
  sessionStorage.removeItem(KEY);
}

// Calls `action` with `params` (objects are sent as JSON text); resolves to the answer's body.
export async function call(action, params = {}) {
  const creds = credentials();
  if (!creds) throw new ApiError(401, { Code: 'NotSignedIn', Message: 'Sign in first.' });
  if (!crypto.subtle) {
    throw new ApiError(0, { Code: 'InsecureContext', Message: 'WebCrypto needs https:// or localhost; open the console that way.' });
  }
  const query = Object.entries(params)
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : String(v)])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const canonicalQuery = query.map(([k, v]) => `${pct(k)}=${pct(v)}`).join('&');
  const bodyHash = await sha256Hex('');
  const headers = {
    host: location.host,
    'x-acs-action': action,
    'x-acs-content-sha256': bodyHash,
    'x-acs-date': new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    'x-acs-signature-nonce': crypto.randomUUID(),
    'x-acs-version': VERSION,
  };
  const names = Object.keys(headers).sort();
  const canonical = ['POST', '/', canonicalQuery, names.map((n) => `${n}:${headers[n]}\n`).join(''), names.join(';'), bodyHash].join('\n');
  const signature = await hmacHex(creds.accessKeySecret, `ACS3-HMAC-SHA256\n${await sha256Hex(canonical)}`);
  const send = { ...headers };
  delete send.host; // the browser sends it itself, with the same value
  send.authorization = `ACS3-HMAC-SHA256 Credential=${creds.accessKeyId},SignedHeaders=${names.join(';')},Signature=${signature}`;
  const res = await fetch(`/?${canonicalQuery}`, { method: 'POST', headers: send });
  let body;
  try {
    body = await res.json();
  } catch {
    body = {};
  }
  if (!res.ok) throw new ApiError(res.status, body);
  return body;
}

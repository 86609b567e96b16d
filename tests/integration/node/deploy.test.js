// deploy/: the Kubernetes manifests parse, and every field they set exists, with its type, in the
// Kubernetes API version each names (the types of npm `kubernetes-types`, generated from that
// release's OpenAPI schema); their names, labels, ports and mounts refer to each other; the TOML
// they and the systemd units give Floe uses only options Floe has; `systemd-analyze verify`
// accepts the units; the image installs every library the binary needs.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync, spawnSync } = require('node:child_process');
const YAML = require('yaml');

const ROOT = path.resolve(__dirname, '../../..');
const DEPLOY = path.join(ROOT, 'deploy');
const FLOE = process.env.FLOE_BIN || path.join(ROOT, 'build/floe');
const TYPES = path.dirname(require.resolve('kubernetes-types/package.json'));
const K8S_RELEASE = require('kubernetes-types/package.json').version;

// --- The API's types, read from kubernetes-types' declarations ------------------------------

// One .d.ts module: its interfaces (field → {type, optional}), type aliases and imports.
function readModule(file) {
  const text = fs.readFileSync(file, 'utf8').replace(/\/\*\*[\s\S]*?\*\//g, '');
  const imports = new Map();
  for (const m of text.matchAll(/import \{([^}]+)\} from "([^"]+)";/g)) {
    for (const name of m[1].split(',').map((s) => s.trim())) {
      imports.set(name, path.resolve(path.dirname(file), m[2]) + '.d.ts');
    }
  }
  const aliases = new Map();
  for (const m of text.matchAll(/export type (\w+) = ([^;]+);/g)) aliases.set(m[1], m[2].trim());
  const interfaces = new Map();
  for (const m of text.matchAll(/export interface (\w+) \{\n([\s\S]*?)\n\}/g)) {
    const fields = new Map();
    // A field: `name?: Type;` on one line, or a map `name?: {\n [name: string]: T;\n };`.
    for (const f of m[2].matchAll(/^ {4}(?:readonly )?(\w+)(\??): (\{\s*\[name: string\]: ([^;]+);\s*\}|[^;\n]+);/gm)) {
      fields.set(f[1], { optional: f[2] === '?', type: f[4] ? `Map<${f[4].trim()}>` : f[3].trim() });
    }
    interfaces.set(m[1], fields);
  }
  return { file, imports, aliases, interfaces };
}

const modules = new Map();
function moduleAt(file) {
  if (!modules.has(file)) modules.set(file, readModule(file));
  return modules.get(file);
}

// "apps/v1" → apps/v1.d.ts, "v1" → core/v1.d.ts, "networking.k8s.io/v1" → networking/v1.d.ts.
function moduleOfApiVersion(apiVersion) {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['core', apiVersion];
  const file = path.join(TYPES, group.split('.')[0], `${version}.d.ts`);
  assert.ok(fs.existsSync(file), `apiVersion ${apiVersion} is not in Kubernetes ${K8S_RELEASE}`);
  return moduleAt(file);
}

// Checks `value` against the type named `type` in module `mod`; problems go to `errors`.
function check(value, type, mod, where, errors) {
  type = type.trim();
  if (mod.aliases.has(type)) return check(value, mod.aliases.get(type), mod, where, errors);
  if (mod.imports.has(type)) return check(value, type, moduleAt(mod.imports.get(type)), where, errors);
  if (type.includes(' | ')) {
    const kinds = type.split(' | ').map((t) => t.trim());
    if (!kinds.some((t) => primitiveMatches(value, t))) errors.push(`${where}: ${JSON.stringify(value)} is not ${type}`);
    return;
  }
  let m;
  if ((m = /^Array<(.+)>$/.exec(type))) {
    if (!Array.isArray(value)) return errors.push(`${where}: expected a list`);
    value.forEach((v, i) => check(v, m[1], mod, `${where}[${i}]`, errors));
    return;
  }
  if ((m = /^Map<(.+)>$/.exec(type))) {
    if (!isObject(value)) return errors.push(`${where}: expected a map`);
    for (const [k, v] of Object.entries(value)) check(v, m[1], mod, `${where}.${k}`, errors);
    return;
  }
  if (['string', 'number', 'boolean'].includes(type) || /^"/.test(type)) {
    if (!primitiveMatches(value, type)) errors.push(`${where}: ${JSON.stringify(value)} is not ${type}`);
    return;
  }
  const fields = mod.interfaces.get(type);
  if (!fields) return errors.push(`${where}: unknown type ${type} in ${path.relative(TYPES, mod.file)}`);
  if (!isObject(value)) return errors.push(`${where}: expected an object (${type})`);
  for (const [k, v] of Object.entries(value)) {
    const f = fields.get(k);
    if (!f) errors.push(`${where}.${k}: no such field in ${type} (Kubernetes ${K8S_RELEASE})`);
    else check(v, f.type, mod, `${where}.${k}`, errors);
  }
  for (const [k, f] of fields) {
    if (!f.optional && !(k in value)) errors.push(`${where}: ${type} requires ${k}`);
  }
}

function isObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function primitiveMatches(value, type) {
  if (/^"/.test(type)) return value === JSON.parse(type);
  if (type === 'number') return typeof value === 'number';
  return typeof value === type;
}

// --- The manifests --------------------------------------------------------------------------

function manifests() {
  const dir = path.join(DEPLOY, 'kubernetes');
  const docs = [];
  for (const name of fs.readdirSync(dir).filter((n) => n.endsWith('.yaml')).sort()) {
    for (const doc of YAML.parseAllDocuments(fs.readFileSync(path.join(dir, name), 'utf8'))) {
      assert.deepEqual(doc.errors, [], `${name} does not parse`);
      const obj = doc.toJS();
      if (obj) docs.push({ file: name, obj });
    }
  }
  return docs;
}

test(`every field of deploy/kubernetes exists in the Kubernetes API version it names (${K8S_RELEASE})`, () => {
  const docs = manifests();
  const kinds = docs.map((d) => `${d.obj.apiVersion} ${d.obj.kind}`).sort();
  assert.deepEqual(kinds, ['apps/v1 Deployment', 'apps/v1 Deployment', 'v1 ConfigMap', 'v1 Secret', 'v1 Secret', 'v1 Service']);
  const errors = [];
  for (const { file, obj } of docs) {
    check(obj, obj.kind, moduleOfApiVersion(obj.apiVersion), `${file}:${obj.kind}/${obj.metadata.name}`, errors);
  }
  assert.deepEqual(errors, []);
});

test('the checker itself refuses a field that does not exist, a wrong type and a missing field', () => {
  const apps = moduleOfApiVersion('apps/v1');
  const errors = [];
  check({ spec: { replica: 2, selector: {}, template: { spec: { containers: [{ name: 'x', ports: [{ containerPort: '80' }] }] } } } },
    'Deployment', apps, 'bad', errors);
  assert.deepEqual(errors, [
    'bad.spec.replica: no such field in DeploymentSpec (Kubernetes 1.30.0)',
    'bad.spec.template.spec.containers[0].ports[0].containerPort: "80" is not number',
  ]);
  const missing = [];
  check({ spec: { template: {} } }, 'Deployment', apps, 'm', missing);
  assert.deepEqual(missing, ['m.spec: DeploymentSpec requires selector']);
});

test('the manifests refer to each other: selectors, config, secrets, mounts, ports, probes', () => {
  const docs = manifests().map((d) => d.obj);
  const named = (kind) => new Map(docs.filter((d) => d.kind === kind).map((d) => [d.metadata.name, d]));
  const configMaps = named('ConfigMap');
  const secrets = named('Secret');
  const deployments = named('Deployment');
  assert.deepEqual([...deployments.keys()].sort(), ['floe-api', 'floe-worker']);
  const toml = parseToml(configMaps.get('floe-config').data['floe.toml']);
  for (const [name, d] of deployments) {
    const pod = d.spec.template;
    for (const [k, v] of Object.entries(d.spec.selector.matchLabels)) {
      assert.equal(pod.metadata.labels[k], v, `${name}: the selector matches its pods`);
    }
    const volumes = new Map(pod.spec.volumes.map((v) => [v.name, v]));
    for (const v of volumes.values()) {
      if (v.configMap) assert.ok(configMaps.has(v.configMap.name), `${name}: ConfigMap ${v.configMap.name}`);
      if (v.secret) {
        assert.ok(secrets.has(v.secret.secretName), `${name}: Secret ${v.secret.secretName}`);
        assert.equal(v.secret.defaultMode, 0o400, `${name}: the master key is read-only to its owner`);
      }
    }
    const [c] = pod.spec.containers;
    for (const m of c.volumeMounts) assert.ok(volumes.has(m.name), `${name}: volume ${m.name}`);
    for (const e of c.env.filter((e) => e.valueFrom && e.valueFrom.secretKeyRef)) {
      const s = secrets.get(e.valueFrom.secretKeyRef.name);
      assert.ok(s && ((s.data || {})[e.valueFrom.secretKeyRef.key] !== undefined ||
        (s.stringData || {})[e.valueFrom.secretKeyRef.key] !== undefined), `${name}: ${e.name} from a Secret key that exists`);
    }
    // It reads the mounted config, with the section of its command.
    const role = c.args[c.args.indexOf('--config') + 2];
    assert.ok(['serve', 'worker'].includes(role), `${name}: ${c.args}`);
    assert.equal(c.args[c.args.indexOf('--config') + 1], '/etc/floe/floe.toml');
    assert.ok(c.volumeMounts.some((m) => m.mountPath === '/etc/floe'), `${name}: config mounted`);
    const section = toml[role];
    assert.equal(section['data-dir'], '/var/lib/floe');
    assert.ok(c.volumeMounts.some((m) => m.mountPath === '/var/lib/floe'), `${name}: data dir mounted`);
    // Its ports are where the config says Floe listens, and the probes ask /healthz there.
    const ports = new Map(c.ports.map((p) => [p.name, p.containerPort]));
    assert.equal(ports.get(role === 'serve' ? 'api' : 'health'), Number(section.listen.split(':')[1]));
    assert.equal(ports.get('metrics'), Number(section['metrics-listen'].split(':')[1]));
    for (const probe of [c.readinessProbe, c.livenessProbe]) {
      assert.equal(probe.httpGet.path, '/healthz');
      assert.ok(ports.has(probe.httpGet.port), `${name}: probe port ${probe.httpGet.port}`);
    }
    if (role === 'serve') {
      // Every API pod has the one master key; the API pods leave the jobs to the workers.
      assert.ok(c.volumeMounts.some((m) => m.mountPath === '/var/lib/floe/master.key' && m.subPath === 'master.key'));
      assert.equal(section['no-jobs'], true);
    } else {
      // The worker admits jobs against the CPU it asked for.
      assert.equal(Number(section.capacity), Number(c.resources.requests.cpu));
      assert.ok(c.args.includes('--node-id'));
    }
  }
  const service = named('Service').get('floe-api');
  const apiPod = deployments.get('floe-api').spec.template;
  for (const [k, v] of Object.entries(service.spec.selector)) assert.equal(apiPod.metadata.labels[k], v);
  assert.ok(apiPod.spec.containers[0].ports.some((p) => p.name === service.spec.ports[0].targetPort));
});

// --- The TOML and the systemd units ---------------------------------------------------------

// The subset of TOML Floe's files use: [section], key = "string" | number | true/false | [..].
function parseToml(text) {
  const out = {};
  let section = null;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    let m;
    if ((m = /^\[(\w+)\]$/.exec(line))) {
      section = out[m[1]] = {};
    } else if ((m = /^([\w-]+) = (.+)$/.exec(line))) {
      assert.ok(section, `key outside a section: ${line}`);
      section[m[1]] = JSON.parse(m[2]);
    } else {
      assert.fail(`not a TOML line Floe's files use: ${line}`);
    }
  }
  return out;
}

// The options `floe SUBCOMMAND --help` lists.
function optionsOf(subcommand) {
  const help = execFileSync(FLOE, [subcommand, '--help'], { encoding: 'utf8' });
  return new Set([...help.matchAll(/^ {2}(?:-\w,)?--([\w-]+)/gm)].map((m) => m[1]));
}

test('the TOML of the ConfigMap and of deploy/systemd uses only options floe serve and floe worker have', () => {
  const files = {
    'kubernetes/configmap.yaml': manifests().find((d) => d.obj.kind === 'ConfigMap').obj.data['floe.toml'],
    'systemd/floe.toml': fs.readFileSync(path.join(DEPLOY, 'systemd/floe.toml'), 'utf8'),
  };
  const known = { serve: optionsOf('serve'), worker: optionsOf('worker') };
  assert.ok(known.serve.has('no-jobs') && known.worker.has('capacity'));
  for (const [name, text] of Object.entries(files)) {
    const toml = parseToml(text);
    assert.deepEqual(Object.keys(toml).sort(), ['serve', 'worker'], name);
    for (const [section, keys] of Object.entries(toml)) {
      for (const key of Object.keys(keys)) {
        assert.ok(known[section].has(key), `${name}: [${section}] ${key} is not an option of floe ${section}`);
      }
      assert.match(keys.store, /^postgres:\/\/[\w-]+@[\w.-]+:\d+\/\w+$/, `${name}: a store URL without a password`);
    }
  }
});

test('systemd-analyze verify accepts the units, which run floe serve and floe worker', () => {
  const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'floe-units-'));
  for (const [unit, role] of [['floe-serve.service', 'serve'], ['floe-worker.service', 'worker']]) {
    const text = fs.readFileSync(path.join(DEPLOY, 'systemd', unit), 'utf8');
    assert.match(text, new RegExp(`^ExecStart=/opt/floe/floe --config /etc/floe/floe.toml ${role}$`, 'm'));
    // Verified with the binary where this tree built it (verify checks that ExecStart exists).
    fs.writeFileSync(path.join(dir, unit), text.replaceAll('/opt/floe/floe', FLOE));
    const r = spawnSync('systemd-analyze', ['verify', path.join(dir, unit)], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr.split('\n').filter((l) => l.includes(unit)).join('\n'), '', `${unit}: no unknown or bad settings`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

test('the image installs the Debian package of every library the binary needs', () => {
  const docker = fs.readFileSync(path.join(DEPLOY, 'Dockerfile'), 'utf8');
  assert.match(docker, /^FROM debian:12/m);
  const installed = new Set(docker.replace(/\\\n/g, ' ').match(/apt-get install ([^&]+)/)[1].split(/\s+/).filter((w) => w && !w.startsWith('-')));
  const needed = execFileSync('objdump', ['-p', FLOE], { encoding: 'utf8' })
    .split('\n').map((l) => /^\s+NEEDED\s+(\S+)/.exec(l)).filter(Boolean).map((m) => m[1]);
  assert.ok(needed.includes('libavcodec.so.59'), needed.join(' '));
  const essential = new Set(['libc6', 'libgcc-s1', 'libstdc++6']); // in every Debian image
  const missing = [];
  for (const lib of needed) {
    const file = execFileSync('sh', ['-c', `ldconfig -p | awk '$1 == "${lib}" {print $NF; exit}'`], { encoding: 'utf8' }).trim();
    assert.ok(file, `${lib} is not on this machine`);
    const r = spawnSync('dpkg', ['-S', fs.realpathSync(file)], { encoding: 'utf8' });
    const pkg = r.status === 0 ? r.stdout.split(':')[0] : null;
    if (pkg && !essential.has(pkg) && !installed.has(pkg)) missing.push(`${lib} (${pkg})`);
  }
  assert.deepEqual(missing, []);
});

test('an option the config file misspells is refused, not silently left at its default', () => {
  const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'floe-cfg-'));
  const file = path.join(dir, 'floe.toml');
  fs.writeFileSync(file, '[serve]\nlisten = "127.0.0.1:0"\nno-jobz = true\n');
  const r = spawnSync(FLOE, ['--config', file, 'serve', '--data-dir', path.join(dir, 'data')], { encoding: 'utf8', timeout: 10000 });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr + r.stdout, /no-jobz/);
  assert.ok(!fs.existsSync(path.join(dir, 'data')), 'nothing was started');
  fs.rmSync(dir, { recursive: true, force: true });
});

test('the licence is stated: LICENSE holds the GPL version 2, README says GPL-2.0-or-later and why', () => {
  // Floe links Debian's FFmpeg with x264 and x265 (GPL): what is shipped must say so (issue 21).
  const license = fs.readFileSync(path.join(ROOT, 'LICENSE'), 'utf8');
  assert.match(license, /GNU GENERAL PUBLIC LICENSE\s+Version 2, June 1991/);
  assert.match(license, /or\s+\(at your option\)\s+any\s+later\s+version/);
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  assert.match(readme, /## Licence[\s\S]*GPL-2\.0-or-later[\s\S]*\[`LICENSE`\]\(LICENSE\)/);
  assert.match(readme, /x264[\s\S]*x265/);
  // The image carries the licence with the binary.
  const dockerfile = fs.readFileSync(path.join(DEPLOY, 'Dockerfile'), 'utf8');
  assert.match(dockerfile, /COPY[^\n]*LICENSE/);
});

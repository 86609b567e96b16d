// Builds the console into OUTDIR (argument): one bundled, minified app.js (our modules and
// hls.js) next to index.html and style.css. Nothing is fetched: esbuild and hls.js come from
// node_modules (npm ci, scripts/install-deps.sh).
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = process.argv[2];
if (!out) {
  console.error('usage: node build.mjs OUTDIR');
  process.exit(2);
}
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [join(here, 'src/main.js')],
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['chrome100', 'firefox100', 'safari15'],
  outfile: join(out, 'app.js'),
  logLevel: 'warning',
  legalComments: 'none', // hls.js's licence is copied whole, below
});
for (const f of ['index.html', 'style.css']) copyFileSync(join(here, 'src', f), join(out, f));
copyFileSync(join(here, 'node_modules/hls.js/LICENSE'), join(out, 'LICENSE.hls.js.txt'));

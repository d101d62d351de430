// Builds the web app: node build.mjs OUTDIR
// Bundles src/main.tsx into OUTDIR/app.js and copies index.html and src/app.css beside it.
// Fails when app.js is larger than the gzip budget.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const BUDGET_GZ = 200 * 1024;
const here = dirname(fileURLToPath(import.meta.url));

const arg = process.argv[2];
if (!arg) {
  console.error('usage: node build.mjs OUTDIR   (or: npm run build -- OUTDIR)');
  process.exit(2);
}
// npm runs scripts in web/; a relative OUTDIR means relative to where npm was started.
const outdir = resolve(process.env.INIT_CWD || process.cwd(), arg);
mkdirSync(outdir, { recursive: true });

try {
  await build({
    entryPoints: [join(here, 'src/main.tsx')],
    outfile: join(outdir, 'app.js'),
    bundle: true,
    minify: true,
    format: 'iife',
    target: 'es2020',
    platform: 'browser',
    sourcemap: false,
    jsx: 'automatic',
    jsxImportSource: 'preact',
    legalComments: 'none',
    logLevel: 'warning',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
} catch {
  // esbuild has printed the errors.
  process.exit(1);
}
copyFileSync(join(here, 'index.html'), join(outdir, 'index.html'));
copyFileSync(join(here, 'src/app.css'), join(outdir, 'app.css'));

const js = readFileSync(join(outdir, 'app.js'));
const gz = gzipSync(js, { level: 9 }).length;
const kib = (n) => (n / 1024).toFixed(1) + ' KiB';
console.log(`app.js: ${kib(js.length)} minified, ${kib(gz)} gzipped (budget ${kib(BUDGET_GZ)}) -> ${outdir}`);
if (gz > BUDGET_GZ) {
  console.error(`app.js is ${kib(gz)} gzipped, over the ${kib(BUDGET_GZ)} budget`);
  process.exit(1);
}

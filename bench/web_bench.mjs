// The web app's figures in Debian's Chromium (headless, as the tests run it), driven by
// Playwright: first load with a cold browser cache, a 10,000-entry folder, beside the floors
// measured in the same run (a static page of the same server; the API's own listing time).
// Run by bench/web_bench.sh, which mounts a drive and passes WEB_ORIGIN, WEB_COOKIE, WS, RUNS.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'web', 'package.json'));
const { chromium } = require('playwright-core');

const origin = process.env.WEB_ORIGIN;
const cookie = process.env.WEB_COOKIE;  // the session id
// The floor's page: a drive's spent-link page; the team server's health answer (no script).
const floorPath = process.env.FLOOR_PATH || '/sign-in?code=x';
const ws = process.env.WS;
const runs = Number(process.env.RUNS || 10);
const args = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args });

const median = (xs) => { const s = xs.slice().sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const spread = (xs) => `${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)}`;

// A new context has an empty cache: every load is a cold one.
async function freshPage() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.addCookies([{ name: 'reel_session', value: cookie, url: origin }]);
  return { context, page: await context.newPage() };
}

const firstEntry = '[data-testid="entry"]';
const load = [], floor = [], render = [], complete = [];
for (let i = 0; i < runs; i++) {
  {  // the app: navigation start to the root folder's first row on screen
    const { context, page } = await freshPage();
    await page.goto(`${origin}/`);
    await page.locator(firstEntry).first().waitFor();
    load.push(await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(performance.now())))));
    // the 10,000-entry folder: hash change to its first rows, and to all of them listed
    const t = await page.evaluate((hash) => new Promise((resolve) => {
      const t0 = performance.now();
      let first = 0;
      const sel = '[data-testid="folder-page"][data-path="big"]';
      const obs = new MutationObserver(() => {
        if (!first && document.querySelector(`${sel} [data-testid="entry"]`)) {
          requestAnimationFrame(() => { first = performance.now() - t0; });
        }
        const c = document.querySelector(`${sel} [data-testid="entry-count"]`);
        if (first && c && c.getAttribute('data-complete') === 'yes') {
          obs.disconnect();
          requestAnimationFrame(() => resolve([first, performance.now() - t0]));
        }
      });
      obs.observe(document.body, { childList: true, subtree: true, attributes: true });
      location.hash = hash;
    }), `#/w/${encodeURIComponent(ws)}/big/`);
    render.push(t[0]);
    complete.push(t[1]);
    await context.close();
  }
  {  // the floor: a static page of the same server (no script), to its load event
    const { context, page } = await freshPage();
    await page.goto(`${origin}${floorPath}`);
    floor.push(await page.evaluate(() => performance.getEntriesByType('navigation')[0].loadEventEnd));
    await context.close();
  }
}
await browser.close();
console.log(JSON.stringify({
  load_ms: median(load), load_spread: spread(load),
  floor_ms: median(floor), floor_spread: spread(floor),
  render_ms: median(render), render_spread: spread(render),
  complete_ms: median(complete), complete_spread: spread(complete),
}));

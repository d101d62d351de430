// What the end-to-end tests of the web app share (e2e.mjs: a drive's `reel web`; team_e2e.mjs:
// the team server): Debian's Chromium launched through playwright-core (from web/node_modules),
// named checks that stop at the first failure, pages watched for errors and CSP violations,
// waits on conditions in the page (never sleeps), screenshots, the app's hash routes and
// test hooks, and the video check (played and sought by range requests).
//   CHROMIUM=/usr/bin/chromium (default)   SHOTS_DIR=DIR: screenshots written there
import { createRequire } from 'node:module';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '../../web/package.json'));
const { chromium } = require('playwright-core');

export const SHOTS = process.env.SHOTS_DIR || '';
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const VIEWPORT = { width: 1280, height: 800 };
export const TIMEOUT = 15000;

if (SHOTS) mkdirSync(SHOTS, { recursive: true });

let browser = null; // closed when a check fails
let passed = 0;
const problems = []; // page errors and CSP violations, checked after every step

/** Debian's Chromium, headless. */
export async function launch() {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return browser;
}

export function fail(message) {
  throw new Error(message);
}

/** Runs check `name`: prints "ok - NAME", or "not ok - NAME: why" and exits 1 (the first failure ends the run). */
export async function check(name, fn) {
  try {
    await fn();
    if (problems.length) fail(`the page reported: ${problems.splice(0).join(' | ')}`);
  } catch (e) {
    const lines = String(e && e.message ? e.message : e).split('\n');
    const waiting = lines.find((l) => /waiting for/.test(l));
    console.log(`not ok - ${name}: ${lines[0]}${waiting ? ` (${waiting.replace(/\x1b\[[0-9;]*m/g, '').trim().replace(/^- /, '')})` : ''}`);
    if (e && e.stack) console.error(e.stack);
    console.log(`${passed} passed, 1 failed`);
    if (browser) await browser.close().catch(() => {});
    process.exit(1);
  }
  passed++;
  console.log(`ok - ${name}`);
}

/** After the last check: closes the browser and prints the count. */
export async function finish() {
  if (browser) await browser.close();
  console.log(`${passed} passed, 0 failed`);
}

/** Page errors and CSP violations of `page` fail the check that is running. */
export function watch(page) {
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  page.setDefaultTimeout(TIMEOUT);
  return page;
}

/** A page in a browser context of its own (its own cookies), watched. */
export async function newPage() {
  const context = await browser.newContext({ viewport: VIEWPORT });
  const page = watch(await context.newPage());
  return { context, page };
}

export async function shot(page, name) {
  if (SHOTS) await page.screenshot({ path: join(SHOTS, name) });
}

/** Waits until fn(arg) is truthy in the page; `what` says what was awaited when it times out. */
export async function until(page, what, fn, arg, timeout = TIMEOUT) {
  try {
    return await (await page.waitForFunction(fn, arg, { timeout, polling: 'raf' })).jsonValue();
  } catch (e) {
    fail(`timed out after ${timeout} ms waiting for ${what}`);
  }
}

/** fetch() from the page (its origin and cookies): the status and the body's text. */
export async function pageFetch(page, url, init) {
  return page.evaluate(
    async ([u, i]) => {
      const r = await fetch(u, i);
      return { status: r.status, text: await r.text() };
    },
    [url, init || {}],
  );
}

export const entrySel = (name) => `[data-testid="entry"][data-name="${name}"]`;
export const enc = encodeURIComponent;
export const folderHash = (ws, path) => `#/w/${enc(ws)}/` + (path ? path.split('/').map(enc).join('/') + '/' : '');
export const fileHash = (ws, path) => `#/w/${enc(ws)}/file/` + path.split('/').map(enc).join('/');

export async function goHash(page, hash) {
  await page.evaluate((h) => {
    location.hash = h;
  }, hash);
}

export async function folderShown(page, path) {
  await page.locator(`[data-testid="folder-page"][data-path="${path}"]`).waitFor();
}

export async function fileShown(page, path) {
  await page.locator(`[data-testid="file-page"][data-path="${path}"]`).waitFor();
}

export async function texts(page, selector, attr) {
  return page.$$eval(selector, (els, a) => els.map((e) => e.getAttribute(a)), attr);
}

export async function versionNumbers(page) {
  return (await texts(page, '[data-testid="version"]', 'data-number')).map(Number);
}

export async function waitVersionCount(page, n) {
  await until(page, `${n} versions in the timeline`, (k) => document.querySelectorAll('[data-testid="version"]').length === k, n);
}

export async function waitPreviewText(page, text) {
  await until(
    page,
    `the text preview to show ${JSON.stringify(text)}`,
    (t) => {
      const el = document.querySelector('[data-testid="text-preview"]');
      return el && el.textContent === t;
    },
    text,
  );
}

/** Opens the page of video `path` of `ws`, plays it, seeks to 15 s and pauses it: the player
 * must be a <video> whose content was asked for with Range headers and answered 206. Returns the
 * media requests' count, ranges and statuses; `shotName`: a screenshot once sought. */
export async function playAndSeek(page, ws, path, shotName) {
  const media = [];
  const statuses = [];
  const isClip = (u) => {
    const url = new URL(u);
    return url.pathname.endsWith('/content') && url.searchParams.get('path') === path;
  };
  const onRequest = (req) => {
    if (isClip(req.url())) media.push(req.allHeaders().then((h) => h.range || ''));
  };
  const onResponse = (resp) => {
    if (isClip(resp.url())) statuses.push(resp.status());
  };
  page.on('request', onRequest);
  page.on('response', onResponse);
  try {
    await goHash(page, fileHash(ws, path));
    await fileShown(page, path);
    const player = page.getByTestId('player');
    await player.waitFor();
    const tag = await player.evaluate((el) => el.tagName);
    if (tag !== 'VIDEO') fail(`the player is a <${tag.toLowerCase()}>`);
    await player.evaluate(async (v) => {
      v.muted = true;
      await v.play();
    });
    await until(page, 'currentTime > 0.5', () => document.querySelector('[data-testid="player"]').currentTime > 0.5, undefined, 30000);
    await player.evaluate((v) => {
      v.currentTime = 15;
    });
    await until(
      page,
      'the player to seek to 15 s',
      () => {
        const v = document.querySelector('[data-testid="player"]');
        return v.currentTime >= 15 && !v.seeking;
      },
      undefined,
      30000,
    );
    await player.evaluate((v) => v.pause());
    const ranges = (await Promise.all(media)).filter((r) => r);
    if (media.length === 0) fail('no request for the video content was seen');
    if (ranges.length === 0) fail(`none of ${media.length} media requests had a Range header`);
    if (!statuses.includes(206)) fail(`no 206 answer among the media responses (${statuses.join(',')})`);
    console.log(`# video: ${media.length} requests, ranges ${ranges.join(' ')}, statuses ${statuses.join(',')}`);
    if (shotName) await shot(page, shotName);
    return { requests: media.length, ranges, statuses };
  } finally {
    page.off('request', onRequest);
    page.off('response', onResponse);
  }
}

/** A session cookie of `context` for `origin`, as a Cookie header (for fetch from Node). */
export async function cookieHeader(context, origin) {
  const cookies = await context.cookies(origin);
  if (cookies.length === 0) fail('the signed-in context has no cookie for the origin');
  return cookies.map((c) => `${c.name}=${c.value}`).join('; ');
}

/** A change sent with a session's `cookie` (from Node, as a page of another site would make the
 * browser send it) is refused: a POST of JSON `body` to `url` with Origin http://evil.example is
 * answered 403, and one with the server's own `origin` but a text/plain body a 4xx; `count()`
 * (what the POST would have changed) reads the same after them. `headers`: more for both. */
export async function refusedFromElsewhere({ origin, cookie, url, body, count, headers = {} }) {
  const before = await count();
  const evil = await fetch(url, {
    method: 'POST',
    headers: { ...headers, 'Content-Type': 'application/json', Origin: 'http://evil.example', Cookie: cookie },
    body,
  });
  if (evil.status !== 403) fail(`POST with Origin http://evil.example answered ${evil.status}, expected 403`);
  const plain = await fetch(url, {
    method: 'POST',
    headers: { ...headers, 'Content-Type': 'text/plain', Origin: origin, Cookie: cookie },
    body,
  });
  if (plain.status < 400 || plain.status >= 500) fail(`POST with Content-Type text/plain answered ${plain.status}, expected a 4xx`);
  const after = await count();
  if (JSON.stringify(after) !== JSON.stringify(before)) fail(`the refused POSTs changed ${JSON.stringify(before)} -> ${JSON.stringify(after)}`);
}

#!/usr/bin/env node
// End-to-end test of ReelDrive's web app in team mode, in headless Chromium, against a running
// team server (`reel server`) that serves it.
//
//   TEAM_URL=http://127.0.0.1:PORT ALICE_TOKEN=... BOB_TOKEN=... MOUNT=<alice's mount of show> \
//   INSTANCE=<its instance name> REEL=/path/of/reel [SHOTS_DIR=DIR] [CHROMIUM=/usr/bin/chromium] \
//   node tests/web/team_e2e.mjs
//
// The server has users alice and bob (each with a home workspace of their name), group artists
// (bob), and project workspace `show`, alice's (admin), where bob has no grant. alice's mount of it (MOUNT, instance
// INSTANCE, online) holds docs/notes.txt with 2 versions ("one\n", "two\n"), media/clip.webm
// (a ~20 s webm video, freed from her cache: check g has her mount hydrate it) and
// media/keep.txt ("keep\n"), every version published (the server reads their bytes from the
// cloud tier). `reel` ($REEL) on the mount is the oracle of the versions; files written on MOUNT
// from here must show in the open page without reloading it, and what alice changes in the app
// (checks m to q: a folder, renames, deletes and restores, a version restored, a checkpoint) must
// show on MOUNT. As show's admin she is shown those controls; bob, a reader, is not; uploads and
// tiers are shown to nobody. The tokens are used only to sign in, in the form: they must never be in
// a URL or in the browser's storage, nor must a token made on the Team page. Prints "ok - NAME" per check; the first failure prints
// "not ok - NAME: why" and exits 1.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  check,
  cookieHeader,
  enc,
  entrySel,
  fail,
  fileHash,
  fileShown,
  finish,
  folderHash,
  folderShown,
  goHash,
  launch,
  newPage,
  pageFetch,
  playAndSeek,
  refusedFromElsewhere,
  SHOTS,
  shot,
  texts,
  until,
  versionNumbers,
  waitPreviewText,
  waitVersionCount,
} from './e2e_lib.mjs';

const ORIGIN = (process.env.TEAM_URL || '').replace(/\/+$/, '');
const ALICE_TOKEN = process.env.ALICE_TOKEN || '';
const BOB_TOKEN = process.env.BOB_TOKEN || '';
const MOUNT = (process.env.MOUNT || '').replace(/\/+$/, '');
const INSTANCE = process.env.INSTANCE || '';
const REEL = process.env.REEL || '';
const WS = 'show';
// How long the hydrate task may take: the mount asks for its tasks when the feed says one was
// sent (or every 10 s), then runs it.
const TASK_WAIT_MS = 60000;
// How long a change made in the browser may take to show on alice's mount: it follows the team's
// change feed (a second or two); a bound on waiting.
const MOUNT_WAIT_MS = 15000;

/** Runs `reel ARGS...` (on alice's mount) and returns what it printed. */
function reel(...args) {
  return execFileSync(REEL, args, { encoding: 'utf8', timeout: 60000 });
}

if (!ORIGIN || !ALICE_TOKEN || !BOB_TOKEN || !MOUNT || !INSTANCE || !REEL) {
  console.error(
    'usage: TEAM_URL=http://127.0.0.1:PORT ALICE_TOKEN=<token> BOB_TOKEN=<token> MOUNT=<alice\'s mount of show> INSTANCE=<its instance> REEL=<reel binary> [SHOTS_DIR=DIR] node tests/web/team_e2e.mjs',
  );
  process.exit(2);
}

await launch();

const TOKENS = [ALICE_TOKEN, BOB_TOKEN];
// Every URL a page asked for or went to: a token must never be in one.
const urls = [];
function followUrls(page) {
  page.on('request', (r) => urls.push(r.url()));
  page.on('framenavigated', (f) => urls.push(f.url()));
  return page;
}
function noTokenInUrls() {
  const bad = urls.filter((u) => TOKENS.some((t) => u.includes(t) || u.includes(enc(t))));
  if (bad.length) fail(`a token was in a URL: ${bad[0]}`);
  if (!urls.length) fail('no URL was seen');
}

/** Fails when the page's localStorage or sessionStorage holds a token (in a key or a value). */
async function noTokenInStorage(page) {
  const stored = await page.evaluate(() => {
    const all = [];
    for (const s of [localStorage, sessionStorage]) {
      for (let i = 0; i < s.length; i++) all.push(s.key(i), s.getItem(s.key(i)));
    }
    return all.join('\n');
  });
  if (TOKENS.some((t) => stored.includes(t))) fail("the browser's storage holds a token");
  const cookie = await page.evaluate(() => document.cookie);
  if (cookie.includes('reel_session')) fail(`the session cookie is readable by scripts: ${cookie}`);
}

/** A signed-out page of its own context, at the app. */
async function signedOutPage() {
  const s = await newPage();
  followUrls(s.page);
  await s.page.goto(ORIGIN + '/');
  await s.page.getByTestId('sign-in-page').waitFor();
  return s;
}

/** Signs in with `token` in the form and waits for the list of the user's workspaces (or the
 * folder page of the only one, where the app goes at once). */
async function signIn(page, token, user) {
  const input = page.getByTestId('token-input');
  await input.fill(token);
  const answer = page.waitForResponse((r) => new URL(r.url()).pathname === '/v1/sign-in');
  await page.getByTestId('sign-in').click();
  const resp = await answer;
  if (resp.status() !== 200) fail(`POST /v1/sign-in answered ${resp.status()}`);
  if (resp.request().postData() !== JSON.stringify({ token })) fail('the sign-in did not send the token (only) in the body');
  await page.locator('[data-testid="workspaces"], [data-testid="folder-page"]').first().waitFor();
  const shown = (await page.getByTestId('user').innerText()).trim();
  if (shown !== user) fail(`the header shows the user ${JSON.stringify(shown)}, expected ${user}`);
}

/** Waits for the folder page of `path` in workspace `ws` (the header names the workspace). */
async function wsFolderShown(page, ws, path) {
  await until(
    page,
    `the folder page of ${ws}/${path}`,
    ([w, p]) =>
      document.querySelector('[data-testid="workspace-name"]')?.textContent === w &&
      !!document.querySelector(`[data-testid="folder-page"][data-path="${p}"]`),
    [ws, path],
  );
}

async function workspaceNames(page) {
  await page.locator('[data-testid="workspace"]').first().waitFor();
  return (await texts(page, '[data-testid="workspace"]', 'data-name')).sort();
}

async function entryNames(page) {
  await until(page, 'the folder listed whole', () => document.querySelector('[data-testid="entry-count"]')?.getAttribute('data-complete') === 'yes');
  return texts(page, '[data-testid="entry"]', 'data-name');
}

/** Controls the page must not show: what the team server offers no route for (uploads, tiers),
 * or what the user's role does not allow (a reader's changes). `who` names whose page it is. */
async function noChangeControls(page, testIds, who = 'team mode') {
  for (const id of testIds) {
    const n = await page.getByTestId(id).count();
    if (n) fail(`${who} shows ${n} ${id} control(s)`);
  }
}

/** Controls the page must show, `count` of each: a writer's (or an admin's) changes. */
async function changeControls(page, counts, who) {
  for (const [id, want] of Object.entries(counts)) {
    const n = await page.getByTestId(id).count();
    if (n !== want) fail(`${who} is shown ${n} ${id} control(s), expected ${want}`);
  }
}

// Uploads and tiers: a drive's only, whoever the user.
const DRIVE_ONLY = ['upload-button', 'upload-input', 'uploads', 'transfers', 'badges', 'drop-overlay'];
const DRIVE_ONLY_FILE = ['tiers', 'no-tiers', 'publish', 'evict', 'pin', 'hydrate', 'upload-input', 'uploads'];
// What a writer or an admin changes from the app; a reader is shown none of it.
const CHANGES = ['new-folder', 'rename', 'delete'];
const CHANGES_FILE = ['restore', 'checkpoint', 'checkpoint-message'];

const mountWaits = []; // how long each change took to show on the mount, in ms

/** Polls `fn` (on alice's mount, from Node) until it is true; fails with `what` after `ms`. */
async function onMount(what, fn, ms = MOUNT_WAIT_MS) {
  const start = Date.now();
  const deadline = start + ms;
  let last = '';
  for (;;) {
    try {
      if (fn()) return void mountWaits.push(Date.now() - start);
      last = '';
    } catch (e) {
      last = `: ${e.message}`;
    }
    if (Date.now() >= deadline) fail(`alice's mount did not show ${what} within ${ms} ms${last}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const mountPath = (p) => join(MOUNT, p);
const isDir = (p) => existsSync(mountPath(p)) && statSync(mountPath(p)).isDirectory();
const reads = (p, text) => existsSync(mountPath(p)) && readFileSync(mountPath(p), 'utf8') === text;
/** The versions of `p` as `reel versions --json` on alice's mount lists them, oldest first. */
const mountVersions = (p) => JSON.parse(reel('versions', mountPath(p), '--json')).versions;

const json = (r, what) => {
  try {
    return JSON.parse(r.text);
  } catch {
    fail(`${what}: not JSON (${r.status}): ${r.text.slice(0, 200)}`);
  }
};

let alice; // alice's signed-in context and page
let bob;

await check('a. a fresh browser shows the sign-in page; the API answers 401', async () => {
  const { context, page } = await signedOutPage();
  const text = await page.getByTestId('sign-in-page').innerText();
  if (!/reel server token create/.test(text)) fail(`the sign-in page does not tell where tokens come from: ${JSON.stringify(text)}`);
  for (const path of ['/v1/workspaces', '/v1/me', `/v1/workspaces/${WS}/files?path=`]) {
    const r = await pageFetch(page, path);
    if (r.status !== 401) fail(`GET ${path} without a session answered ${r.status}, expected 401`);
  }
  const health = json(await pageFetch(page, '/v1/health'), 'GET /v1/health');
  if (health.server !== 'team') fail(`/v1/health says ${JSON.stringify(health)}`);
  await shot(page, 'team-sign-in.png');
  await context.close();
});

await check("b. a wrong token is refused in the form; alice's signs in, and is kept nowhere", async () => {
  alice = await signedOutPage();
  const { page } = alice;
  const wrong = 'reel_not-a-token-of-this-server';
  await page.getByTestId('token-input').fill(wrong);
  const answer = page.waitForResponse((r) => new URL(r.url()).pathname === '/v1/sign-in');
  await page.getByTestId('sign-in').click();
  const resp = await answer;
  if (resp.status() !== 401) fail(`POST /v1/sign-in with a wrong token answered ${resp.status()}, expected 401`);
  const said = (await resp.json())?.error?.message;
  if (!said) fail('the 401 has no error message');
  const error = page.getByTestId('sign-in-error');
  await error.waitFor();
  const shown = (await error.innerText()).trim();
  if (shown !== said) fail(`the form says ${JSON.stringify(shown)}, the server said ${JSON.stringify(said)}`);
  const kept = await page.getByTestId('token-input').inputValue();
  if (kept !== wrong) fail(`the input holds ${JSON.stringify(kept)} after the refusal, not what was typed`);
  await page.getByTestId('sign-in-page').waitFor();

  await signIn(page, ALICE_TOKEN, 'alice');
  const names = await workspaceNames(page);
  if (names.join() !== 'alice,show') fail(`alice's workspaces: ${names.join(', ')}, expected alice, show`);
  const role = await page.locator('[data-testid="workspace"][data-name="show"]').innerText();
  if (!/admin/.test(role)) fail(`show is listed as ${JSON.stringify(role)}, expected her role admin`);
  if (page.url() !== ORIGIN + '/') fail(`after signing in the page is at ${page.url()}`);
  const cookies = await alice.context.cookies(ORIGIN);
  const session = cookies.find((c) => c.name === 'reel_session');
  if (!session) fail(`no session cookie: ${cookies.map((c) => c.name).join(', ')}`);
  if (!session.httpOnly || session.sameSite !== 'Strict') fail(`the session cookie is ${JSON.stringify(session)}`);
  if (TOKENS.includes(session.value)) fail('the session cookie holds the API token itself');
  await noTokenInStorage(page);
  noTokenInUrls();
});

await check('c. browse show: docs and media, into docs (notes.txt by alice), back by the breadcrumbs; New folder, Rename, Delete (she is admin), no uploads or tiers', async () => {
  const { page } = alice;
  await page.locator('[data-testid="workspace"][data-name="show"]').click();
  await wsFolderShown(page, WS, '');
  if (!page.url().endsWith(folderHash(WS, ''))) fail(`the folder page of show is at ${page.url()}`);
  const names = await entryNames(page);
  if (names.join() !== 'docs,media') fail(`show's root lists ${names.join(', ')}, expected docs, media`);
  await changeControls(page, { 'new-folder': 1, rename: 2, delete: 2 }, 'alice, an admin,');
  await noChangeControls(page, DRIVE_ONLY);
  await page.locator('[data-testid="folder-page"][data-tiers="no"]').waitFor({ state: 'attached' });
  // Files dropped on the page are not taken (nor opened by the browser): no overlay, no upload.
  const dt = await page.evaluateHandle(() => {
    const d = new DataTransfer();
    d.items.add(new File(['dropped\n'], 'dropped.txt', { type: 'text/plain' }));
    return d;
  });
  const zone = page.getByTestId('drop-zone');
  const uploads = [];
  const onRequest = (r) => {
    if (/\/uploads(\/|$)/.test(new URL(r.url()).pathname)) uploads.push(r.url());
  };
  page.on('request', onRequest);
  try {
    for (const type of ['dragenter', 'dragover', 'drop']) await zone.dispatchEvent(type, { dataTransfer: dt });
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  } finally {
    page.off('request', onRequest);
  }
  await noChangeControls(page, DRIVE_ONLY);
  if (uploads.length) fail(`a dropped file was sent: ${uploads[0]}`);
  if (await page.locator(entrySel('dropped.txt')).count()) fail('a dropped file is listed');
  await page.getByTestId('admin-link').waitFor();
  await page.locator(`${entrySel('docs')} a`).click();
  await folderShown(page, 'docs');
  if ((await entryNames(page)).join() !== 'notes.txt') fail(`docs lists ${(await entryNames(page)).join(', ')}`);
  // By whom: the author of the version shown (a uid names nobody on the team).
  const by = (await page.locator(`${entrySel('notes.txt')} .c-user`).innerText()).trim();
  if (by !== 'alice') fail(`notes.txt's row says it is by ${JSON.stringify(by)}, expected alice`);
  const crumbs = page.getByTestId('breadcrumbs').locator('a');
  if ((await crumbs.count()) !== 2) fail(`expected 2 crumbs in docs, got ${await crumbs.count()}`);
  await crumbs.first().click();
  await folderShown(page, '');
  await page.locator(entrySel('media')).waitFor();
});

await check('d. docs/notes.txt: 2 versions by alice, previews of v1 and the current one; Restore of v1 and the checkpoint, no tiers', async () => {
  const { page } = alice;
  await goHash(page, folderHash(WS, 'docs'));
  await folderShown(page, 'docs');
  await page.locator(`${entrySel('notes.txt')} a`).click();
  await fileShown(page, 'docs/notes.txt');
  await waitVersionCount(page, 2);
  const order = await versionNumbers(page);
  if (order.join() !== '2,1') fail(`versions not newest first: ${order.join()}`);
  const authors = await page.getByTestId('version-author').allInnerTexts();
  if (authors.join() !== 'alice,alice') fail(`the versions' authors: ${authors.join(', ')}`);
  const published = await page.getByTestId('version-published').allInnerTexts();
  if (published.some((p) => p.trim() !== 'published')) fail(`the versions read ${published.join(', ')}`);
  // As alice's mount lists them.
  const mine = JSON.parse(reel('versions', join(MOUNT, 'docs/notes.txt'), '--json')).versions.reverse();
  const want = mine.map((x) => `${x.number}:${x.author}:${x.published === 'yes' ? 'published' : x.published}`).join();
  const got = order.map((n, i) => `${n}:${authors[i]}:${published[i].trim()}`).join();
  if (got !== want) fail(`the page lists ${got}, reel versions on the mount ${want}`);
  const current = await page.getByTestId('current-version').getAttribute('data-number');
  if (current !== '2') fail(`the current version is ${current}`);
  await waitPreviewText(page, 'two\n');
  const v = (n) => page.locator(`[data-testid="version"][data-number="${n}"]`);
  await v(1).getByTestId('preview-version').click();
  await waitPreviewText(page, 'one\n');
  await v(2).getByTestId('preview-version').click();
  await waitPreviewText(page, 'two\n');
  for (const n of [1, 2]) {
    const href = await v(n).getByTestId('download').getAttribute('href');
    const r = await pageFetch(page, href);
    if (r.status !== 200 || r.text !== ['one\n', 'two\n'][n - 1]) fail(`the download of version ${n} is ${r.status} ${JSON.stringify(r.text)}`);
  }
  // Restore on the versions but the current one.
  await changeControls(page, { restore: 1, checkpoint: 1, 'checkpoint-message': 1 }, 'alice, an admin,');
  if ((await v(1).getByTestId('restore').count()) !== 1 || (await v(2).getByTestId('restore').count()) !== 0) {
    fail('Restore is not on version 1 only');
  }
  await noChangeControls(page, DRIVE_ONLY_FILE);
  await page.getByTestId('instance-panel').waitFor();
  if ((await page.getByTestId('error').count()) !== 0) fail(`an error shows: ${await page.getByTestId('error').innerText()}`);
});

await check('e. the video plays and seeks with range requests', async () => {
  await playAndSeek(alice.page, WS, 'media/clip.webm');
});

await check("f. a file written on alice's mount shows in the open docs page without a reload", async () => {
  const { page } = alice;
  await goHash(page, folderHash(WS, 'docs'));
  await folderShown(page, 'docs');
  await page.locator(entrySel('notes.txt')).waitFor();
  await until(page, 'the live indicator to be on', () => document.querySelector('[data-testid="live"]')?.getAttribute('data-state') === 'on');
  await page.evaluate(() => {
    window.__sameDocument = true;
  });
  writeFileSync(join(MOUNT, 'docs/live.txt'), 'live\n');
  await page.locator(entrySel('live.txt')).waitFor({ timeout: 10000 });
  if (!(await page.evaluate(() => window.__sameDocument === true))) fail('the page was reloaded');
  await until(page, 'live.txt of 5 bytes', () => document.querySelector('[data-testid="entry"][data-name="live.txt"]')?.getAttribute('data-size') === '5');
  await shot(page, 'team-folder.png');
});

await check("g. On an instance: alice's mount is online and hydrates clip.webm (a task, done)", async () => {
  const { page } = alice;
  await goHash(page, fileHash(WS, 'media/clip.webm'));
  await fileShown(page, 'media/clip.webm');
  const panel = page.getByTestId('instance-panel');
  await panel.waitFor();
  const option = panel.locator(`[data-testid="instance-select"] option[value="${INSTANCE}"]`);
  await option.waitFor({ state: 'attached' });
  if ((await option.getAttribute('data-online')) !== 'yes') fail(`${INSTANCE} is not listed online`);
  if (!/alice@/.test(await option.innerText())) fail(`the instance reads ${JSON.stringify(await option.innerText())}`);
  const chosen = await panel.getByTestId('instance-select').inputValue();
  if (chosen !== INSTANCE) fail(`the chosen instance is ${JSON.stringify(chosen)}, expected ${INSTANCE}`);
  const sent = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === `/v1/instances/${INSTANCE}/tasks`);
  await panel.getByTestId('task-hydrate').click();
  const resp = await sent;
  if (resp.status() !== 200) fail(`POST tasks answered ${resp.status()}: ${await resp.text()}`);
  if (!resp.request().headers()['reel-request-id']) fail('the task was sent without Reel-Request-Id');
  const task = page.locator('[data-testid="task"][data-kind="hydrate"]');
  await task.waitFor();
  await until(
    page,
    'the hydrate task to finish',
    () => ['done', 'failed'].includes(document.querySelector('[data-testid="task"][data-kind="hydrate"]')?.getAttribute('data-state')),
    undefined,
    TASK_WAIT_MS,
  );
  const state = await task.getAttribute('data-state');
  const message = (await task.getByTestId('task-message').count()) ? await task.getByTestId('task-message').innerText() : '';
  if (state !== 'done') fail(`the task ended ${state}: ${message}`);
  // The harness freed the clip on the mount: the task fetched all of it back.
  const size = statSync(join(MOUNT, 'media/clip.webm')).size;
  const did = /^1 files?, (\d+) chunks?, (\d+) bytes$/.exec(message.trim());
  if (!did || Number(did[1]) === 0 || Number(did[2]) !== size) fail(`the done task says ${JSON.stringify(message)}, expected all ${size} bytes fetched`);
  console.log(`# task: hydrate on ${INSTANCE}: ${message}`);
  // A frame of the video for the screenshot (it loads its metadata and first frame by itself).
  await until(page, 'a frame of the video', () => document.querySelector('[data-testid="player"]')?.readyState >= 2, undefined, 30000);
  await shot(page, 'team-file.png');
});

await check('h. the admin page of show: settings, grants (alice admin), instances', async () => {
  const { page } = alice;
  await page.getByTestId('admin-link').click();
  await page.getByTestId('admin-page').waitFor();
  if (!page.url().endsWith(`#/w/${WS}/admin`)) fail(`the admin page is at ${page.url()}`);
  if ((await page.getByTestId('admin-page').getAttribute('data-role')) !== 'admin') fail('the admin page does not know alice is admin');
  const setting = async (key) => page.getByTestId(`setting-${key}`).getAttribute('data-value');
  const settings = { role: 'admin', share: 'on-publish', encrypted: 'no', home: 'no' };
  for (const [key, want] of Object.entries(settings)) {
    const got = await setting(key);
    if (got !== want) fail(`setting ${key} reads ${got}, expected ${want}`);
  }
  const rows = page.locator('[data-testid="grant-row"]');
  await rows.first().waitFor();
  const grants = await rows.evaluateAll((els) => els.map((e) => `${e.dataset.principal}:${e.dataset.role}`));
  if (grants.join() !== 'alice:admin') fail(`the grants are ${grants.join(', ')}, expected alice:admin`);
  await page.getByTestId('grant-principal').waitFor();
  const instance = page.locator(`[data-testid="instance"][data-name="${INSTANCE}"]`);
  await instance.waitFor();
  if ((await instance.getAttribute('data-online')) !== 'yes') fail(`${INSTANCE} is not online in the table`);
  const cells = await instance.locator('td').allInnerTexts();
  if (cells[1] !== 'alice' || cells[3] !== 'online') fail(`the instance row reads ${cells.join(' | ')}`);
  if ((await page.locator('[data-testid="instance"]').count()) !== 1) fail('the table lists other instances than alice\'s');
  await shot(page, 'team-admin.png');
});

await check('i. bob, without a grant: show is not his, its page says so, the API answers 403', async () => {
  bob = await signedOutPage();
  const { page } = bob;
  await signIn(page, BOB_TOKEN, 'bob');
  // His only workspace is his home: the app opens it at once.
  await wsFolderShown(page, 'bob', '');
  if (!page.url().endsWith(folderHash('bob', ''))) fail(`bob's first page is ${page.url()}`);
  const list = json(await pageFetch(page, '/v1/workspaces'), 'GET /v1/workspaces').workspaces.map((w) => w.name);
  if (list.join() !== 'bob') fail(`bob's workspaces: ${list.join(', ')}, expected bob (and not show)`);
  await goHash(page, folderHash(WS, ''));
  const denied = page.getByTestId('no-access');
  await denied.waitFor();
  if ((await denied.getAttribute('data-status')) !== '403') fail(`the no-access page has status ${await denied.getAttribute('data-status')}`);
  const reason = (await page.getByTestId('no-access-message').innerText()).trim();
  const r = await pageFetch(page, `/v1/workspaces/${WS}/files?path=`);
  if (r.status !== 403) fail(`GET /v1/workspaces/show/files?path= as bob answered ${r.status}, expected 403`);
  const said = json(r, 'the 403').error?.message;
  if (!reason || reason !== said) fail(`the page says ${JSON.stringify(reason)}, the server ${JSON.stringify(said)}`);
  for (const id of ['folder-page', 'live', 'trash-link', 'admin-link']) {
    if (await page.getByTestId(id).count()) fail(`the no-access page shows ${id}`);
  }
  await shot(page, 'team-no-access.png');
  await noTokenInStorage(page);
});

await check('j. alice grants bob reader on the admin page; his page of show then lists docs, with nothing to change (his changes answered 403)', async () => {
  await alice.page.getByTestId('grant-principal').fill('bob');
  await alice.page.getByTestId('grant-role').selectOption('reader');
  const sent = alice.page.waitForResponse((r) => r.request().method() === 'PUT' && new URL(r.url()).pathname === `/v1/workspaces/${WS}/grants/bob`);
  await alice.page.getByTestId('grant').click();
  const resp = await sent;
  if (resp.status() !== 200) fail(`PUT grants/bob answered ${resp.status()}: ${await resp.text()}`);
  await alice.page.locator('[data-testid="grant-row"][data-principal="bob"][data-role="reader"]').waitFor();
  if (await alice.page.getByTestId('grant-error').count()) fail(`the grant form says ${await alice.page.getByTestId('grant-error').innerText()}`);

  // Navigating again (by way of his home): the app asks the server for show once more.
  const { page } = bob;
  await goHash(page, folderHash('bob', ''));
  await wsFolderShown(page, 'bob', '');
  await goHash(page, folderHash(WS, ''));
  await wsFolderShown(page, WS, '');
  const names = await entryNames(page);
  if (names.join() !== 'docs,media') fail(`bob's page of show lists ${names.join(', ')}`);
  await noChangeControls(page, [...CHANGES, ...DRIVE_ONLY], 'bob, a reader,');
  // A reader sees the published versions, and may not send tasks, restore or checkpoint.
  await goHash(page, fileHash(WS, 'docs/notes.txt'));
  await fileShown(page, 'docs/notes.txt');
  await waitVersionCount(page, 2);
  await waitPreviewText(page, 'two\n');
  await page.getByTestId('instance-readonly').waitFor();
  if (await page.locator('[data-testid^="task-"]').count()) fail("a reader's page offers tasks");
  await noChangeControls(page, [...CHANGES_FILE, ...DRIVE_ONLY_FILE], 'bob, a reader,');
  // Nor does the server take them from him (the app's own requests, sent by hand; a restore from
  // the trash in check o, with an entry there).
  const changes = [
    ['folders', { path: 'by-bob' }],
    ['move', { from: 'docs/notes.txt', to: 'docs/by-bob.txt' }],
    ['delete', { path: 'docs/notes.txt' }],
    ['restore', { path: 'docs/notes.txt', version: 1 }],
    ['save', { path: 'docs/notes.txt', message: 'by bob' }],
  ];
  for (const [i, [route, body]] of changes.entries()) {
    const r = await pageFetch(page, `/v1/workspaces/${WS}/${route}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Reel-Request-Id': `b0b${i}`.padEnd(32, '0') },
      body: JSON.stringify(body),
    });
    if (r.status !== 403) fail(`POST ${route} ${JSON.stringify(body)} as bob, a reader, answered ${r.status}: ${r.text}`);
  }
  if (!reads('docs/notes.txt', 'two\n') || existsSync(mountPath('by-bob')) || existsSync(mountPath('docs/by-bob.txt'))) {
    fail("a reader's refused change shows on alice's mount");
  }
  same('the versions of docs/notes.txt after the refused changes', mountVersions('docs/notes.txt').map((x) => x.number), [1, 2]);
});

await check('k. a change with alice\'s cookie from another origin is refused', async () => {
  const cookie = await cookieHeader(alice.context, ORIGIN);
  const me = await fetch(ORIGIN + '/v1/me', { headers: { Cookie: cookie } });
  if (me.status !== 200) fail(`GET /v1/me with the session cookie from Node answered ${me.status}`);
  const tasksUrl = `${ORIGIN}/v1/instances/${INSTANCE}/tasks`;
  const tasks = async () => (await (await fetch(tasksUrl, { headers: { Cookie: cookie } })).json()).tasks.map((t) => t.id);
  await refusedFromElsewhere({
    origin: ORIGIN,
    cookie,
    url: tasksUrl,
    body: JSON.stringify({ kind: 'hydrate', path: 'docs/notes.txt' }),
    count: tasks,
    headers: { 'Reel-Request-Id': 'e2e0'.repeat(8) },
  });
  // Nor may another site sign the browser out, or in.
  for (const [path, body] of [
    ['/v1/sign-out', '{}'],
    ['/v1/sign-in', JSON.stringify({ token: BOB_TOKEN })],
  ]) {
    const r = await fetch(ORIGIN + path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: 'http://evil.example', Cookie: cookie },
      body,
    });
    if (r.status !== 403) fail(`POST ${path} from http://evil.example answered ${r.status}, expected 403`);
    // A browser applies Set-Cookie from a refused answer too: clearing the cookie here would
    // let another site's form sign the user out.
    if (r.headers.get('set-cookie')?.includes('reel_session=')) fail(`the refused POST ${path} set the session cookie`);
  }
  const still = await fetch(ORIGIN + '/v1/me', { headers: { Cookie: cookie } });
  if (still.status !== 200 || (await still.json()).user !== 'alice') fail(`after the refused sign-out /v1/me answered ${still.status}`);
});

// k1 to k5: the Team page (#/team), the admin page's settings, and tokens made and revoked in
// the app.

/** Opens the Team page from the header's link; waits for its users and groups to be listed. */
async function teamPageShown(page) {
  await page.getByTestId('team-link').click();
  await page.getByTestId('team-page').waitFor();
  if (!page.url().endsWith('#/team')) fail(`the Team page is at ${page.url()}`);
  if ((await page.getByTestId('team-link').getAttribute('aria-current')) !== 'page') fail('the Team link is not marked as the page');
  await page.locator('[data-testid="user-row"]').first().waitFor();
  await page.locator('[data-testid="group-row"], [data-testid="no-groups"]').first().waitFor();
  await page.locator('[data-testid="token-row"]').first().waitFor();
}

/** The page's rows of `testId` as "data-name:data-ATTR" (or just data-name). */
async function rows(page, testId, attr) {
  return page
    .locator(`[data-testid="${testId}"]`)
    .evaluateAll((els, a) => els.map((e) => (a ? `${e.dataset.name}:${e.getAttribute(a)}` : e.dataset.name)), attr);
}

/** Fails when `text` is anywhere in the page: its text, an input's value, its URL. */
async function notInPage(page, text, what) {
  const found = await page.evaluate(
    (t) =>
      document.body.innerText.includes(t) ||
      document.documentElement.outerHTML.includes(t) ||
      [...document.querySelectorAll('input, textarea')].some((el) => el.value.includes(t)) ||
      location.href.includes(t),
    text,
  );
  if (found) fail(`${what} is still in the page`);
}

await check('k1. the Team page: users alice and bob, group @artists with bob, her workspaces', async () => {
  const { page } = alice;
  await teamPageShown(page);
  const users = await rows(page, 'user-row');
  if (users.join() !== 'alice,bob') fail(`the Users section lists ${users.join(', ')}, expected alice, bob`);
  const groups = await rows(page, 'group-row', 'data-members');
  if (groups.join() !== 'artists:bob') fail(`the Groups section lists ${groups.join(' ') || 'none'}, expected artists:bob`);
  if ((await page.locator('[data-testid="group-row"][data-name="artists"] td').first().innerText()).trim() !== '@artists') {
    fail('the group is not shown as @artists');
  }
  const groupsText = await page.getByTestId('team-groups').innerText();
  if (!/reel server group add/.test(groupsText) || !/reel server user add/.test(await page.getByTestId('team-users').innerText())) {
    fail('the Users and Groups sections do not say they are added on the server host');
  }
  const spaces = await rows(page, 'ws-row', 'data-role');
  if (spaces.join() !== 'alice:admin,show:admin') fail(`the Workspaces section lists ${spaces.join(', ')}, expected alice:admin, show:admin`);
  const show = page.locator('[data-testid="ws-row"][data-name="show"]');
  if ((await show.getAttribute('data-share')) !== 'on-publish' || (await show.getAttribute('data-encrypted')) !== 'no') {
    fail(`show's row reads ${await show.innerText()}`);
  }
  if ((await show.locator('a').getAttribute('href')) !== folderHash(WS, '')) fail('show\'s name does not link to its folder page');
});

await check('k2. alice makes workspace cut from the form ("Bad Name" refused without a request); it is hers', async () => {
  const { page } = alice;
  const posts = [];
  const onRequest = (r) => {
    if (r.method() === 'POST' && new URL(r.url()).pathname === '/v1/workspaces') posts.push(r.url());
  };
  page.on('request', onRequest);
  try {
    await page.getByTestId('ws-new-name').fill('Bad Name');
    await page.getByTestId('ws-create').click();
    const error = page.getByTestId('ws-create-error');
    await error.waitFor();
    const said = (await error.innerText()).trim();
    if (!/a-z, 0-9/.test(said)) fail(`the form says ${JSON.stringify(said)} of "Bad Name"`);
    if (posts.length) fail(`"Bad Name" was sent: ${posts.length} POST /v1/workspaces`);
    if ((await page.getByTestId('ws-new-name').inputValue()) !== 'Bad Name') fail('the refused name was not kept in the input');
  } finally {
    page.off('request', onRequest);
  }
  await page.getByTestId('ws-new-name').fill('cut');
  if (await page.getByTestId('ws-new-encrypted').isChecked()) fail('Encrypted is checked by default');
  const sent = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/v1/workspaces');
  await page.getByTestId('ws-create').click();
  const resp = await sent;
  if (resp.status() !== 200) fail(`POST /v1/workspaces answered ${resp.status()}: ${await resp.text()}`);
  const body = resp.request().postDataJSON();
  if (JSON.stringify(body) !== JSON.stringify({ name: 'cut', encrypted: false })) fail(`POST /v1/workspaces sent ${resp.request().postData()}`);
  if (!resp.request().headers()['reel-request-id']) fail('the new workspace was asked for without Reel-Request-Id');
  await page.locator('[data-testid="ws-created"][data-name="cut"]').waitFor();
  await page.locator('[data-testid="ws-row"][data-name="cut"][data-role="admin"][data-encrypted="no"]').waitFor();
  if (await page.getByTestId('ws-create-error').count()) fail(`the form says ${await page.getByTestId('ws-create-error').innerText()}`);
  const cut = json(await pageFetch(page, '/v1/workspaces'), 'GET /v1/workspaces').workspaces.find((w) => w.name === 'cut');
  if (!cut || cut.role !== 'admin' || cut.encrypted !== false) fail(`GET /v1/workspaces has cut as ${JSON.stringify(cut)}`);
  // The same name again: the server's 409, said beside the form.
  await page.getByTestId('ws-new-name').fill('cut');
  const again = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/v1/workspaces');
  await page.getByTestId('ws-create').click();
  const taken = await again;
  if (taken.status() !== 409) fail(`making cut twice answered ${taken.status()}, expected 409`);
  const said = (await taken.json())?.error?.message;
  await until(page, 'the 409 said beside the form', (m) => document.querySelector('[data-testid="ws-create-error"]')?.textContent === m, said);
  // The app's own list (the home page's) has it too.
  await goHash(page, '#/');
  const names = await workspaceNames(page);
  if (names.join() !== 'alice,cut,show') fail(`alice's home page lists ${names.join(', ')}, expected alice, cut, show`);
});

await check('k3. alice makes a token expiring in 30 days: shown once, it works from Node; revoked, it does not', async () => {
  const { page, context } = alice;
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: ORIGIN });
  await teamPageShown(page);
  const mine = page.locator('[data-testid="token-row"][data-current="yes"]');
  if ((await mine.count()) !== 1) fail(`${await mine.count()} tokens are marked as this browser's, expected 1`);
  if ((await mine.getByTestId('token-current').innerText()).trim() !== 'this browser') fail('the current token is not labelled "this browser"');
  const before = await rows(page, 'token-row', 'data-id');

  await page.getByTestId('token-days').fill('0');
  await page.getByTestId('token-create').click();
  await page.getByTestId('token-create-error').waitFor();
  await page.getByTestId('token-days').fill('30');
  const sent = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/v1/tokens');
  await page.getByTestId('token-create').click();
  const resp = await sent;
  if (resp.status() !== 200) fail(`POST /v1/tokens answered ${resp.status()}: ${await resp.text()}`);
  if (resp.request().postData() !== JSON.stringify({ expires_days: 30 })) fail(`POST /v1/tokens sent ${resp.request().postData()}`);
  const made = await resp.json();
  const box = page.getByTestId('new-token-secret');
  await box.waitFor();
  const secret = await box.inputValue();
  if (!/^reel_[0-9a-f]{64}$/.test(secret) || secret !== made.token) fail('the box does not hold the new token');
  TOKENS.push(secret); // from here on, checked against every URL and the storage like the others
  if (!(await box.evaluate((el) => el.readOnly && !el.name))) fail('the secret box is not read-only, or has a name');
  if (!/will not be shown again/.test(await page.getByTestId('new-token').innerText())) fail('the new token comes without the warning');
  await page.getByTestId('copy-token').click();
  await page.getByTestId('copy-state').waitFor();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  if (copied !== secret) fail(`Copy put ${copied.length} characters in the clipboard, not the token`);
  await page.evaluate(() => navigator.clipboard.writeText(''));
  const row = page.locator(`[data-testid="token-row"][data-id="${made.id}"]`);
  await row.waitFor();
  const days = (Number(await row.getAttribute('data-expires')) / 1e6 - Date.now()) / 86400e3;
  if (!(days > 29.9 && days <= 30)) fail(`the new token expires in ${days.toFixed(2)} days, expected 30`);
  if ((await row.getAttribute('data-current')) !== 'no') fail('the new token is marked as this browser\'s');

  const me = await fetch(ORIGIN + '/v1/me', { headers: { Authorization: 'Bearer ' + secret } });
  const who = me.status === 200 ? (await me.json()).user : '';
  if (me.status !== 200 || who !== 'alice') fail(`GET /v1/me with the new token answered ${me.status} ${who}`);
  await noTokenInStorage(page);
  noTokenInUrls();
  const listed = await pageFetch(page, '/v1/tokens');
  if (listed.status !== 200 || listed.text.includes(secret)) fail(`GET /v1/tokens answered ${listed.status}, or holds the secret`);

  // Shown once: leaving the page drops it; the page again has no trace of it.
  await goHash(page, folderHash(WS, ''));
  await wsFolderShown(page, WS, '');
  await teamPageShown(page);
  await row.waitFor();
  if (await page.getByTestId('new-token').count()) fail('the secret is shown again after leaving the page');
  await notInPage(page, secret, 'the secret');

  const revoked = page.waitForResponse((r) => r.request().method() === 'DELETE' && new URL(r.url()).pathname === `/v1/tokens/${made.id}`);
  await row.getByTestId('token-revoke').click();
  const gone = await revoked;
  if (gone.status() !== 200) fail(`DELETE /v1/tokens/${made.id} answered ${gone.status()}: ${await gone.text()}`);
  await row.waitFor({ state: 'detached' });
  const after = await fetch(ORIGIN + '/v1/me', { headers: { Authorization: 'Bearer ' + secret } });
  if (after.status !== 401) fail(`GET /v1/me with the revoked token answered ${after.status}, expected 401`);
  const left = await rows(page, 'token-row', 'data-id');
  if (left.join() !== before.join()) fail(`the tokens listed after revoking: ${left.join(', ')}, before: ${before.join(', ')}`);
  if ((await page.locator('[data-testid="token-row"][data-current="yes"]').count()) !== 1) fail('this browser\'s token is no longer listed');
  await notInPage(page, secret, 'the secret');
  await shot(page, 'team-team.png');
});

await check("k4. bob revokes this browser's token on the Team page: signed out, his old cookie refused; he signs in again", async () => {
  const { page, context } = bob;
  const cookie = await cookieHeader(context, ORIGIN);
  await teamPageShown(page);
  const current = page.locator('[data-testid="token-row"][data-current="yes"]');
  if ((await current.count()) !== 1) fail(`${await current.count()} of bob's tokens are marked this browser's`);
  await current.getByTestId('token-revoke').click();
  await page.getByTestId('sign-in-page').waitFor();
  for (const id of ['team-page', 'team-link', 'user']) {
    if (await page.getByTestId(id).count()) fail(`the signed-out page still shows ${id}`);
  }
  const old = await fetch(ORIGIN + '/v1/me', { headers: { Cookie: cookie } });
  if (old.status !== 401) fail(`bob's revoked session cookie answered ${old.status}, expected 401`);
  const api = await fetch(ORIGIN + '/v1/me', { headers: { Authorization: `Bearer ${BOB_TOKEN}` } });
  if (api.status !== 200) fail(`bob's API token answers ${api.status} after his browser's token was revoked`);
  await goHash(page, '#/');
  await signIn(page, BOB_TOKEN, 'bob');
  const names = await workspaceNames(page);
  if (names.join() !== 'bob,show') fail(`bob's workspaces after signing in again: ${names.join(', ')}`);
});

await check("k5. show's admin page: alice saves Sharing on-close (only it sent); @artists offered; bob's is read-only", async () => {
  const { page } = alice;
  await goHash(page, `#/w/${WS}/admin`);
  await page.getByTestId('admin-page').waitFor();
  const share = page.getByTestId('setting-share-select');
  await share.waitFor();
  if ((await share.inputValue()) !== 'on-publish') fail(`the Sharing select reads ${await share.inputValue()}`);
  const conflict = await page.getByTestId('setting-conflict-select').inputValue();
  const options = await page.getByTestId('setting-conflict-select').locator('option').evaluateAll((els) => els.map((e) => e.value));
  if (options.join() !== 'last-writer-wins,keep-both,reject') fail(`Conflicts offers ${options.join(', ')}`);
  const save = page.getByTestId('settings-save');
  if (!(await save.isDisabled())) fail('Save is enabled with nothing changed');
  await share.selectOption('on-close');
  const sent = page.waitForResponse((r) => r.request().method() === 'PATCH' && new URL(r.url()).pathname === `/v1/workspaces/${WS}`);
  await save.click();
  const resp = await sent;
  if (resp.status() !== 200) fail(`PATCH /v1/workspaces/${WS} answered ${resp.status()}: ${await resp.text()}`);
  if (resp.request().postData() !== JSON.stringify({ share: 'on-close' })) fail(`the PATCH sent ${resp.request().postData()}, expected the share only`);
  if (!resp.request().headers()['reel-request-id']) fail('the PATCH was sent without Reel-Request-Id');
  await page.locator('[data-testid="setting-share"][data-value="on-close"]').waitFor();
  await page.getByTestId('settings-saved').waitFor();
  if (await page.getByTestId('settings-error').count()) fail(`the settings say ${await page.getByTestId('settings-error').innerText()}`);
  const w = json(await pageFetch(page, `/v1/workspaces/${WS}`), `GET /v1/workspaces/${WS}`);
  if (w.share !== 'on-close' || w.conflict !== conflict) fail(`the server has show as ${JSON.stringify(w)}`);
  // The grant form's suggestions: the users, and the groups as @name (asked for as the page opened).
  await until(
    page,
    'the grant form to offer alice, bob and @artists',
    () => [...document.querySelectorAll('#grant-users option')].map((e) => e.value).join() === 'alice,bob,@artists',
  );
  // A reader's view of the same settings: values, no controls.
  const b = bob.page;
  await goHash(b, `#/w/${WS}/admin`);
  await b.locator('[data-testid="admin-page"][data-role="reader"]').waitFor();
  await b.locator('[data-testid="setting-share"][data-value="on-close"]').waitFor();
  for (const id of ['setting-share-select', 'setting-conflict-select', 'settings-save', 'grant-principal']) {
    if (await b.getByTestId(id).count()) fail(`bob, a reader, is shown ${id}`);
  }
});

// m to q: what a writer (alice, show's admin) changes from the app, each sent to the team server
// as on a drive and shown on her mount (which follows the team's change feed) within a deadline.

/** Call before the click: waits for the app's POST to /v1/workspaces/show/ROUTE, which must be
 * answered 200 and carry Reel-Request-Id; answers what was sent and the answer, parsed. */
function posted(page, route) {
  const path = `/v1/workspaces/${WS}/${route}`;
  const answer = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === path);
  answer.catch(() => {}); // a click that failed first is the failure said
  return async () => {
    const resp = await answer;
    const sent = resp.request().postData() || '';
    const text = await resp.text();
    if (resp.status() !== 200) fail(`POST ${path} ${sent} answered ${resp.status()}: ${text}`);
    if (!resp.request().headers()['reel-request-id']) fail(`POST ${path} was sent without Reel-Request-Id`);
    return { sent: JSON.parse(sent), answer: json({ status: resp.status(), text }, `POST ${path}`) };
  };
}

/** Fails unless `got` is `want` (compared as JSON). */
function same(what, got, want) {
  if (JSON.stringify(got) !== JSON.stringify(want)) fail(`${what}: ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
}

await check("m. alice makes folder made-in-browser in show: listed, a folder on her mount", async () => {
  const { page } = alice;
  await goHash(page, folderHash(WS, ''));
  await wsFolderShown(page, WS, '');
  await entryNames(page);
  const done = posted(page, 'folders');
  await page.getByTestId('new-folder').click();
  await page.getByTestId('new-folder-name').fill('made-in-browser');
  await page.getByTestId('new-folder-create').click();
  const { sent, answer } = await done();
  same('POST folders sent', sent, { path: 'made-in-browser' });
  if (answer.type !== 'directory' || answer.name !== 'made-in-browser') fail(`POST folders answered ${JSON.stringify(answer)}`);
  await page.locator(`${entrySel('made-in-browser')}[data-type="directory"]`).waitFor();
  if (await page.getByTestId('error').count()) fail(`an error shows: ${await page.getByTestId('error').innerText()}`);
  await onMount('made-in-browser as a folder', () => isDir('made-in-browser'));
  // Escape leaves a name as it was.
  const made = page.locator(entrySel('made-in-browser'));
  await made.getByTestId('rename').click();
  await made.getByTestId('rename-input').press('Escape');
  await made.getByTestId('rename-input').waitFor({ state: 'detached' });
});

await check('n. alice renames docs/notes.txt to renamed.txt and back: each on her mount, its versions kept', async () => {
  const { page } = alice;
  await goHash(page, folderHash(WS, 'docs'));
  await folderShown(page, 'docs');
  await entryNames(page);
  for (const [from, to] of [
    ['notes.txt', 'renamed.txt'],
    ['renamed.txt', 'notes.txt'],
  ]) {
    const row = page.locator(entrySel(from));
    const done = posted(page, 'move');
    await row.getByTestId('rename').click();
    await row.getByTestId('rename-input').fill(to);
    await row.getByTestId('rename-input').press('Enter');
    const { sent, answer } = await done();
    same('POST move sent', sent, { from: `docs/${from}`, to: `docs/${to}` });
    if (answer.name !== to || answer.type !== 'file') fail(`POST move answered ${JSON.stringify(answer)}`);
    await page.locator(entrySel(to)).waitFor();
    await row.waitFor({ state: 'detached' });
    await onMount(`docs/${to} in place of docs/${from}`, () => reads(`docs/${to}`, 'two\n') && !existsSync(mountPath(`docs/${from}`)));
  }
  if (await page.getByTestId('error').count()) fail(`an error shows: ${await page.getByTestId('error').innerText()}`);
  const numbers = mountVersions('docs/notes.txt').map((x) => x.number);
  same("the versions of docs/notes.txt on alice's mount after the renames", numbers, [1, 2]);
});

await check('o. alice deletes media/keep.txt (Undo puts it back), then again: in the trash (bob, a reader, cannot restore it), restored from there', async () => {
  const { page } = alice;
  await goHash(page, folderHash(WS, 'media'));
  await folderShown(page, 'media');
  await entryNames(page);
  const row = page.locator(entrySel('keep.txt'));
  const remove = async () => {
    const done = posted(page, 'delete');
    await row.getByTestId('delete').click();
    const { sent, answer } = await done();
    same('POST delete sent', sent, { path: 'media/keep.txt' });
    if (answer.trashed !== 1 || typeof answer.removed !== 'number') fail(`POST delete answered ${JSON.stringify(answer)}`);
    await row.waitFor({ state: 'detached' });
    await onMount('media/keep.txt deleted', () => !existsSync(mountPath('media/keep.txt')));
  };
  await remove();
  await page.getByTestId('notice').filter({ hasText: 'Moved keep.txt to the trash' }).waitFor();
  const undone = posted(page, 'trash/restore');
  await page.getByTestId('undo').click();
  const back = await undone();
  if (Object.keys(back.sent).join() !== 'id' || typeof back.sent.id !== 'number') fail(`Undo sent ${JSON.stringify(back.sent)}`);
  if (back.answer.path !== 'media/keep.txt' || !back.answer.attr) fail(`POST trash/restore answered ${JSON.stringify(back.answer)}`);
  await page.getByTestId('notice').filter({ hasText: 'Restored keep.txt' }).waitFor();
  await row.waitFor();
  await onMount('media/keep.txt back after Undo', () => reads('media/keep.txt', 'keep\n'));

  await remove();
  await page.getByTestId('trash-link').click();
  await page.getByTestId('trash-page').waitFor();
  const entry = page.locator('[data-testid="trash-entry"][data-path="media/keep.txt"]');
  await entry.waitFor();
  if ((await entry.count()) !== 1) fail(`media/keep.txt is ${await entry.count()} times in the trash`);
  // A reader lists the trash, and restores nothing.
  const b = bob.page;
  await goHash(b, `#/w/${WS}/trash`);
  await b.locator('[data-testid="trash-entry"][data-path="media/keep.txt"]').waitFor();
  await noChangeControls(b, ['trash-restore'], 'bob, a reader,');
  if ((await entry.getByTestId('trash-restore').count()) !== 1) fail('alice is not offered Restore in the trash');
  const id = Number(await entry.getAttribute('data-id'));
  const refused = await pageFetch(b, `/v1/workspaces/${WS}/trash/restore`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Reel-Request-Id': 'b0b9'.padEnd(32, '0') },
    body: JSON.stringify({ id }),
  });
  if (refused.status !== 403) fail(`POST trash/restore {"id":${id}} as bob, a reader, answered ${refused.status}: ${refused.text}`);
  const restored = posted(page, 'trash/restore');
  await entry.getByTestId('trash-restore').click();
  const { sent, answer } = await restored();
  same('POST trash/restore sent', sent, { id });
  if (answer.path !== 'media/keep.txt') fail(`POST trash/restore answered ${JSON.stringify(answer)}`);
  await entry.waitFor({ state: 'detached' });
  await page.getByTestId('notice').filter({ hasText: 'Restored media/keep.txt' }).waitFor();
  await onMount('media/keep.txt back from the trash', () => reads('media/keep.txt', 'keep\n'));
  await page.getByTestId('restored-folder').click();
  await folderShown(page, 'media');
  await page.locator(entrySel('keep.txt')).waitFor();
});

await check('p. alice restores version 1 of docs/notes.txt: version 3, "one", on her mount', async () => {
  const { page } = alice;
  await goHash(page, fileHash(WS, 'docs/notes.txt'));
  await fileShown(page, 'docs/notes.txt');
  await waitVersionCount(page, 2);
  const done = posted(page, 'restore');
  await page.locator('[data-testid="version"][data-number="1"]').getByTestId('restore').click();
  const { sent, answer } = await done();
  same('POST restore sent', sent, { path: 'docs/notes.txt', version: 1 });
  if (answer.number !== 3 || answer.kind !== 'restore') fail(`POST restore answered ${JSON.stringify(answer)}, expected version 3 of kind restore`);
  await waitVersionCount(page, 3);
  await page.getByTestId('notice').filter({ hasText: 'Restored version 1 as version 3' }).waitFor();
  await until(page, 'version 3 to be current', () => document.querySelector('[data-testid="current-version"]')?.getAttribute('data-number') === '3');
  const first = page.locator('[data-testid="version"]').first();
  if ((await first.getAttribute('data-number')) !== '3' || (await first.getAttribute('data-kind')) !== 'restore') {
    fail(`the newest version listed is ${await first.getAttribute('data-number')} of kind ${await first.getAttribute('data-kind')}`);
  }
  const author = (await first.getByTestId('version-author').innerText()).trim();
  if (author !== 'alice') fail(`version 3 is by ${JSON.stringify(author)}, expected alice`);
  await waitPreviewText(page, 'one\n');
  if (await page.getByTestId('error').count()) fail(`an error shows: ${await page.getByTestId('error').innerText()}`);
  await onMount('docs/notes.txt reading "one"', () => reads('docs/notes.txt', 'one\n'));
  await onMount('version 3 of docs/notes.txt in `reel versions`', () =>
    mountVersions('docs/notes.txt').some((x) => x.number === 3 && x.kind === 'restore'),
  );
});

await check('q. alice saves a named checkpoint of docs/notes.txt: version 4 with her message, on her mount', async () => {
  const { page } = alice;
  await fileShown(page, 'docs/notes.txt');
  await waitVersionCount(page, 3);
  const message = `checkpoint from the browser ${Date.now()}`;
  await page.getByTestId('checkpoint-message').fill(message);
  const done = posted(page, 'save');
  await page.getByTestId('checkpoint').click();
  const { sent, answer } = await done();
  same('POST save sent', sent, { path: 'docs/notes.txt', message });
  if (answer.number !== 4 || answer.kind !== 'checkpoint' || answer.message !== message) {
    fail(`POST save answered ${JSON.stringify(answer)}, expected version 4, a checkpoint with the message`);
  }
  await waitVersionCount(page, 4);
  await page.getByTestId('notice').filter({ hasText: 'Saved checkpoint as version 4' }).waitFor();
  const row = page.locator('[data-testid="version"][data-number="4"][data-kind="checkpoint"]');
  await row.waitFor();
  const said = (await row.getByTestId('version-message').innerText()).trim();
  if (said !== message) fail(`version 4's message reads ${JSON.stringify(said)}`);
  if ((await page.getByTestId('checkpoint-message').inputValue()) !== '') fail('the message is still in the input');
  await waitPreviewText(page, 'one\n');
  await onMount('version 4, the checkpoint, in `reel versions`', () =>
    mountVersions('docs/notes.txt').some((x) => x.number === 4 && x.kind === 'checkpoint' && x.message === message),
  );
  if (!reads('docs/notes.txt', 'one\n')) fail('docs/notes.txt no longer reads "one" on the mount');
  console.log(`# ${mountWaits.length} changes on alice's mount after the answer: the slowest in ${Math.max(...mountWaits)} ms`);
});

await check('l. sign out: the sign-in page again, the session ends (and only it)', async () => {
  const { page, context } = alice;
  const cookie = await cookieHeader(context, ORIGIN);
  await goHash(page, folderHash(WS, 'docs'));
  await folderShown(page, 'docs');
  await page.getByTestId('sign-out').click();
  await page.getByTestId('sign-in-page').waitFor();
  const r = await pageFetch(page, '/v1/me');
  if (r.status !== 401) fail(`after signing out GET /v1/me answered ${r.status}, expected 401`);
  // The server ended the session: its cookie, sent again, is refused.
  const old = await fetch(ORIGIN + '/v1/me', { headers: { Cookie: cookie } });
  if (old.status !== 401) fail(`the signed-out session's cookie, sent again, answered ${old.status}`);
  const api = await fetch(ORIGIN + '/v1/me', { headers: { Authorization: `Bearer ${ALICE_TOKEN}` } });
  if (api.status !== 200) fail(`alice's API token answers ${api.status} after the browser signed out`);
  const other = await pageFetch(bob.page, '/v1/me');
  if (other.status !== 200) fail(`bob's session answers ${other.status} after alice signed out`);
  await noTokenInStorage(page);
  noTokenInUrls();
  console.log(`# ${urls.length} URLs asked for or visited, none with a token`);
  if (SHOTS) console.log(`# screenshots in ${SHOTS}: team-sign-in.png team-folder.png team-file.png team-admin.png team-no-access.png team-team.png`);
});

await finish();

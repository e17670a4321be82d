// What the browser tests share: a real ejournald serving web/ on a free loopback port with a small demo
// school, its sign-in list, the output folder for screenshots, and the protocol from inside a signed-in page.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const root = resolve(here, '../..');
const EJOURNALD = process.env.EJOURNALD || join(root, 'build/bin/ejournald');
const EJCTL = process.env.EJCTL || join(root, 'build/bin/ejctl');
export const OUT = process.env.EJ_WEB_OUTPUT || join(here, 'output');
export const NEW_PASSWORD = 'Новый-пароль-2026';

// The day in Moscow, as ISO text.
export const schoolToday = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Moscow' }).format(new Date());
export const addDays = (iso, n) => new Date(Date.parse(iso + 'T12:00:00Z') + n * 86400000).toISOString().slice(0, 10);
export const mondayOf = (iso) => addDays(iso, -((new Date(iso + 'T12:00:00Z').getUTCDay() + 6) % 7));

// The demo school is the current school year up to today, as `make run` shows it. In the first three weeks of
// September that year has next to no lessons yet, so the tests then take the year that has just ended (the
// demo's today is set to 31 August): what they check needs weeks of entries, not a particular date.
function demoToday() {
  const today = schoolToday();
  return today.slice(5, 7) === '09' && Number(today.slice(8)) <= 21 ? `${today.slice(0, 4)}-08-31` : null;
}

// Builds the demo school (120 students, seed 7) and starts ejournald on it. Returns
// { base, logins: [[role, login, one-time password, description]], stop() }.
export async function startDemoServer() {
  mkdirSync(OUT, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), 'ejournal-web-'));
  const data = join(dir, 'data');
  const today = demoToday();
  execFileSync(EJCTL, ['demo', '--data', data, '--students', '120', '--seed', '7', ...(today ? ['--today', today] : [])],
    { stdio: 'ignore' });
  const logins = readFileSync(join(data, 'demo-logins.txt'), 'utf8').split('\n')
    .filter((l) => l && !l.startsWith('#')).map((l) => l.split('\t'));
  const server = spawn(EJOURNALD, ['--data', data, '--listen', '127.0.0.1:0', '--web-root', join(root, 'web')],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  const base = await new Promise((resolveBase, reject) => {
    let text = '';
    server.stdout.on('data', (chunk) => {
      text += chunk;
      const m = text.match(/ejournald: (http:\/\/[^\s]+)\//);
      if (m) resolveBase(m[1]);
    });
    server.stderr.on('data', () => {});
    server.on('exit', (code) => reject(new Error(`ejournald exited with ${code}`)));
  });
  return {
    base, logins,
    stop() {
      server.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// Runs one protocol operation over a WebSocket of its own, signed in with the page's session token: for
// facts a test needs (not for what it checks). `page.evaluate` is the same in Playwright and Puppeteer.
export function ask(page, op, args = {}, write = false) {
  return page.evaluate(async ([op, args, write]) => new Promise((res, rej) => {
    const ws = new WebSocket(`ws://${location.host}/ws`);
    ws.onopen = () => ws.send(JSON.stringify({ id: 1, op: 'auth.resume', args: { token: localStorage.getItem('ejournal.token') } }));
    ws.onmessage = (m) => {
      const x = JSON.parse(m.data);
      if (x.id === 1) ws.send(JSON.stringify({ id: 2, op, args, ...(write ? { command_id: crypto.randomUUID() } : {}) }));
      else if (x.id === 2) { ws.close(); x.ok ? res(x.result) : rej(new Error(x.error.message)); }
    };
  }), [op, args, write]);
}

// The demo year as the data gives it: its first school day, and a day `offset` days later (or the first
// after it) on which `lessonsOn(day)` gives lessons — never past today.
export async function schoolYear(page) {
  const terms = await ask(page, 'roster.terms');
  const year = Math.max(...terms.map((t) => t.year));
  const mine = terms.filter((t) => t.year === year);
  return { first: mine.map((t) => t.first_day).sort()[0], terms: mine };
}
export async function lessonDay(from, lessonsOn) {
  let day = from, lessons = [];
  for (let i = 0; i < 21 && lessons.length === 0 && day <= schoolToday(); ++i) {
    lessons = await lessonsOn(day);
    if (lessons.length === 0) day = addDays(day, 1);
  }
  return { day, lessons };
}

// The date as the school writes it (ДД.ММ.ГГГГ), of a moment in Moscow.
export const ruDay = (ms) => new Intl.DateTimeFormat('ru-RU', { timeZone: 'Europe/Moscow', day: '2-digit', month: '2-digit', year: 'numeric' }).format(new Date(ms));

// Debian's Chromium through playwright-core, with the flags this machine's closed network needs.
export async function launchChromium() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
           '--disable-sync', '--no-first-run', '--lang=ru-RU'],
  });
}

// Signs `who` ([role, login, password, …]) in within a Chromium context of its own (its own localStorage),
// changing a one-time password to NEW_PASSWORD (and remembering that in `who`). Uncaught page errors go to
// `errors`. `contextOptions` (a viewport, touch) and `prepare(page)` (run before the first load, to route
// its WebSocket, say) are optional.
export async function signInChromium(browser, base, who, { contextOptions = {}, prepare, errors } = {}) {
  const context = await browser.newContext({ locale: 'ru-RU', timezoneId: 'Europe/Moscow', ...contextOptions });
  const page = await context.newPage();
  if (errors) page.on('pageerror', (err) => errors.push(`${who[1]}: ${err.message}`));
  if (prepare) await prepare(page);
  await page.goto(base + '/');
  await page.fill('#login', who[1]);
  await page.fill('#password', who[2]);
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('#password-form, #logout');
  if (await page.$('#password-form')) {
    await page.fill('#old-password', who[2]);
    await page.fill('#new-password', NEW_PASSWORD);
    await page.fill('#new-password-2', NEW_PASSWORD);
    await page.click('#password-form button[type=submit]');
    await page.waitForSelector('#password-form', { state: 'detached' });
    who[2] = NEW_PASSWORD;
  }
  await page.waitForSelector('#logout');
  return page;
}

// A Chromium suite's shared state: one demo server and one browser for the file's tests, started before the
// first and stopped after the last, and a check after each test that no page threw an uncaught error. Call it
// once at a test file's top level; the returned object's fields are set once the suite has started.
export async function chromiumSuite() {
  const { before, after, afterEach } = await import('node:test');
  const { default: assert } = await import('node:assert/strict');
  const suite = { demo: null, base: '', logins: [], browser: null, pageErrors: [] };
  before(async () => {
    suite.demo = await startDemoServer();
    suite.base = suite.demo.base;
    suite.logins = suite.demo.logins;
    suite.browser = await launchChromium();
  });
  after(async () => {
    if (suite.browser) await suite.browser.close();
    if (suite.demo) suite.demo.stop();
  });
  afterEach(() => {
    const errors = suite.pageErrors.splice(0);
    assert.deepEqual(errors, [], 'the pages threw no uncaught errors');
  });
  return suite;
}

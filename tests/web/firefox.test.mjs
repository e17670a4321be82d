// The web client's main path in Debian's Firefox ESR, driven over WebDriver BiDi by puppeteer-core (Playwright
// drives only its own patched Firefox builds). Against its own ejournald and demo school (harness.mjs): a
// teacher signs in, finds the day's lessons, sets a mark from the keyboard in the journal grid; the parent's
// open diary on a phone-sized page shows it without a reload; a deputy opens the cell's history and sees who
// set it. Screenshots go to $EJ_WEB_OUTPUT as firefox-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import puppeteer from 'puppeteer-core';
import { startDemoServer, ask, OUT, NEW_PASSWORD, ruDay } from './harness.mjs';

const FIREFOX = process.env.FIREFOX || '/usr/bin/firefox-esr';

let demo, browser;
const pageErrors = [];

before(async () => {
  demo = await startDemoServer();
  browser = await puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX, headless: true,
    extraPrefsFirefox: { 'intl.locale.requested': 'ru-RU', 'intl.accept_languages': 'ru-RU' } });
});

after(async () => {
  if (browser) await browser.close();
  if (demo) demo.stop();
});

// Signs in within a browser context of its own (its own localStorage), changing the one-time password.
async function signIn(who, viewport = { width: 1280, height: 800 }) {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  page.on('pageerror', (err) => pageErrors.push(`${who[1]}: ${err.message}`));
  await page.setViewport(viewport);
  await page.goto(demo.base + '/');
  await page.waitForSelector('#login');
  await page.type('#login', who[1]);
  await page.type('#password', who[2]);
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('#password-form, #logout');
  if (await page.$('#password-form')) {
    await page.type('#old-password', who[2]);
    await page.type('#new-password', NEW_PASSWORD);
    await page.type('#new-password-2', NEW_PASSWORD);
    await page.click('#password-form button[type=submit]');
    await page.waitForSelector('#password-form', { hidden: true });
    who[2] = NEW_PASSWORD;
  }
  await page.waitForSelector('#logout');
  return page;
}

test('in Firefox: a teacher sets a mark from the keyboard, the parent\'s diary shows it live, the deputy sees who set it', async () => {
  const { logins } = demo;
  const teacher = logins.find((l) => l[0] === 'учитель' && l[3].startsWith('учитель '));
  const klass = teacher[3].split(' ').pop();
  const parent = logins.find((l) => l[0] === 'родитель' && l[3].endsWith(klass));
  const deputy = logins.find((l) => l[0] === 'заместитель директора');

  const tp = await signIn(teacher);
  await tp.waitForSelector('#today');  // a teacher starts on the day's lessons
  await tp.screenshot({ path: join(OUT, 'firefox-today.png') });
  await tp.click('nav a[href="#/journal"]');
  await tp.waitForSelector('table.grid td.cell');
  const dp = await signIn(deputy);
  // The journal opens on today's term, which is open; were it closed (in the holidays, the last one), reopen it.
  const term = Number(await tp.$eval('#term', (s) => s.value));
  if ((await ask(dp, 'roster.terms')).find((t) => t.id === term).closed)
    await ask(dp, 'reopen_term', { term, reason: 'проверка журнала' }, true);
  await tp.reload();
  await tp.waitForSelector('table.grid td.cell');

  const pp = await signIn(parent, { width: 390, height: 844 });
  const child = (await ask(pp, 'me')).children[0];
  // The child's last cell in the term shown, and its day.
  const { lesson, label, marks } = await tp.evaluate((name) => {
    const row = [...document.querySelectorAll('table.grid tr')].find((tr) => tr.querySelector('th.student')?.textContent.includes(name));
    const cells = row.querySelectorAll('td.cell');
    const cell = cells[cells.length - 1];
    return { lesson: Number(cell.dataset.lesson), label: cell.getAttribute('aria-label'), marks: cell.querySelectorAll('.m').length };
  }, child.name);
  const [d, m, y] = label.split(', ').pop().split('.');
  await pp.$eval('#week', (el, v) => { el.value = v; el.dispatchEvent(new Event('change')); }, `${y}-${m}-${d}`);
  await pp.waitForSelector(`.diary-lesson[data-lesson="${lesson}"]`);
  const inDiary = `.diary-lesson[data-lesson="${lesson}"] .mark:not(.att)`;
  const before = await pp.$$eval(inDiary, (els) => els.length);

  const cellSel = `td.cell[data-lesson="${lesson}"][data-student="${child.id}"]`;
  await tp.click(cellSel);
  await tp.keyboard.press('4');
  await tp.keyboard.press('Enter');
  await tp.waitForFunction((sel, n) => document.querySelectorAll(`${sel} .m`).length === n, {}, cellSel, marks + 1);
  await tp.screenshot({ path: join(OUT, 'firefox-journal.png') });

  await pp.waitForFunction((sel, n) => document.querySelectorAll(sel).length === n, { timeout: 10000 }, inDiary, before + 1);
  await pp.screenshot({ path: join(OUT, 'firefox-diary-phone.png'), fullPage: true });

  const hash = await tp.evaluate(() => {
    const [c, g, s] = document.querySelector('#assignment').value.split(':');
    return `#/journal?class=${c}&group=${g}&subject=${s}&term=${document.querySelector('#term').value}`;
  });
  await dp.goto(demo.base + '/' + hash);
  await dp.waitForSelector(cellSel);
  await dp.click(cellSel);
  await dp.waitForSelector('#cell-history tbody tr');
  const history = await dp.$eval('#cell-history', (el) => el.textContent);
  const teacherName = (await tp.$eval('#who', (el) => el.textContent)).replace('Выйти', '').trim();
  assert.ok(history.includes(teacherName), `the history names ${teacherName}`);
  assert.ok(history.includes(ruDay(Date.now())), 'and the day it was set');
  await dp.screenshot({ path: join(OUT, 'firefox-history.png') });
  assert.deepEqual(pageErrors, [], 'the pages threw no uncaught errors');
});

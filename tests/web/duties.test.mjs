// Duties of the order done in the browser, each checked through another role or the protocol. The subject
// teacher (5.2): a mark corrected in place with a reason, a typed mark saved by moving on and a wrong one
// refused, the register taken in one action, a term mark replaced with a reason, a phone's mark picker, and in
// a closed term a correction request. The deputy (5.4): terms closed and reopened, requests decided, a
// substitution recorded by day, class and period among the free teachers, and the monthly табель.
// Debian's Chromium, through the shared harness.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ask, OUT, NEW_PASSWORD, chromiumSuite, signInChromium, schoolYear, lessonDay, addDays, mondayOf, schoolToday } from './harness.mjs';

// The demo server, the browser and the page-error check, shared by the file's tests (harness.mjs).
const suite = await chromiumSuite();
const pageErrors = suite.pageErrors;

const signIn = (who, contextOptions = {}) => signInChromium(suite.browser, suite.base, who, { contextOptions, errors: pageErrors });

const teacher = () => suite.logins.find((l) => l[0] === 'учитель' && l[3].startsWith('учитель '));
const deputy = () => suite.logins.find((l) => l[0] === 'заместитель директора');

// The journal the teacher opens first, as the protocol gives it.
async function journalArgs(tp) {
  return tp.evaluate(() => {
    const [c, g, s] = document.querySelector('#assignment').value.split(':').map(Number);
    return { class_id: c, group: g, subject: s, term: Number(document.querySelector('#term').value) };
  });
}

// Reads until `pred` holds (at most 10 s): another connection's write is durable when answered, but the
// projections may apply it a moment later, and `ask` reads over a connection of its own.
async function eventually(read, pred) {
  const until = Date.now() + 10000;
  for (;;) {
    const value = await read();
    if (pred(value) || Date.now() > until) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

// Waits until roster.terms shows the term closed or open as wanted (before a page that reads it loads).
const termIs = (page, id, closed) =>
  eventually(() => ask(page, 'roster.terms'), (ts) => ts.find((t) => t.id === id).closed === closed);

async function cellOnPage(dp, args, lesson, student) {
  const page = await ask(dp, 'journal.page', args);
  const col = page.lessons.findIndex((l) => l.id === lesson);
  return page.rows.find((r) => r.student === student).cells[col];
}

async function openJournal(tp) {
  await tp.click('nav a[href="#/journal"]');
  await tp.waitForSelector('table.grid td.cell');
}

// A held lesson's cell in the teacher's grid, chosen from the last columns.
function cellLocator(tp, row, col) { return tp.locator(`td.cell[data-row="${row}"][data-col="${col}"]`); }

test('in a closed term a typed mark becomes a correction request, and the deputy\'s approval puts it in the journal', async () => {
  const tp = await signIn(teacher());
  const dp = await signIn(deputy());
  await openJournal(tp);
  const args = await journalArgs(tp);
  const terms = await ask(tp, 'roster.terms');
  if (!terms.find((t) => t.id === args.term).closed) await ask(dp, 'close_term', { term: args.term }, true);
  await termIs(dp, args.term, true);
  await tp.reload();
  await tp.waitForSelector('.closed-banner');
  assert.match(await tp.textContent('.closed-banner'), /Период закрыт/);

  // An empty cell of a held lesson (typing into a cell with a mark would open that mark).
  const shown = await ask(dp, 'journal.page', args);
  const at = shown.rows.flatMap((r, row) => r.cells.map((c, col) => ({ row, col, c })))
    .find(({ col, c }) => shown.lessons[col].held && c.marks.length === 0 && c.attendance == null);
  assert.ok(at, 'the term has an empty cell');
  const td = cellLocator(tp, at.row, at.col);
  const lesson = Number(await td.getAttribute('data-lesson')), student = Number(await td.getAttribute('data-student'));
  const before = await cellOnPage(dp, args, lesson, student);
  await td.click();
  await td.press('4');
  await td.press('Enter');
  await tp.waitForSelector('#correction-reason');
  await tp.fill('#correction-reason', 'ученик отвечал, отметка не внесена');
  await tp.click('#editor button[type=submit]');
  await tp.waitForSelector('#editor', { state: 'detached' });
  const said = await tp.textContent('#status');
  assert.match(said, /Запрос на исправление отправлен/);
  // Nothing changed yet.
  assert.equal((await cellOnPage(dp, args, lesson, student)).marks.length, before.marks.length);
  await tp.screenshot({ path: join(OUT, 'journal-closed-term.png'), fullPage: true });

  const request = Number(said.match(/№ (\d+)/)[1]);
  await ask(dp, 'approve_correction', { request, comment: 'согласовано' }, true);
  const after = await eventually(() => cellOnPage(dp, args, lesson, student), (c) => c.marks.length > before.marks.length);
  assert.equal(after.marks.length, before.marks.length + 1);
  assert.equal(after.marks[after.marks.length - 1].value, 4);
  await ask(dp, 'reopen_term', { term: args.term, reason: 'проверка журнала учителем' }, true);
  await Promise.all([tp.context().close(), dp.context().close()]);
});

test('a teacher corrects a mark in place, saves a typed mark by moving on, is refused a 6, takes the register and replaces a term mark', async () => {
  const tp = await signIn(teacher());
  const dp = await signIn(deputy());
  await openJournal(tp);
  const args = await journalArgs(tp);
  if ((await ask(tp, 'roster.terms')).find((t) => t.id === args.term).closed)
    await ask(dp, 'reopen_term', { term: args.term, reason: 'проверка журнала учителем' }, true);
  await termIs(dp, args.term, false);
  await tp.reload();
  await tp.waitForSelector('table.grid td.cell');
  assert.equal(await tp.$('.closed-banner'), null);

  // A typed mark is saved when the teacher moves on with an arrow.
  const first = cellLocator(tp, 1, 0);
  const lesson = Number(await first.getAttribute('data-lesson')), student = Number(await first.getAttribute('data-student'));
  const marksBefore = (await cellOnPage(dp, args, lesson, student)).marks.length;
  await first.click();
  await first.press('3');
  await first.press('ArrowRight');
  await tp.waitForFunction(([l, s, n]) => document.querySelectorAll(`td.cell[data-lesson="${l}"][data-student="${s}"] .m`).length === n,
    [lesson, student, marksBefore + 1]);
  assert.equal((await cellOnPage(dp, args, lesson, student)).marks.length, marksBefore + 1);

  // "6" is not a mark: refused with a message, nothing written.
  const second = cellLocator(tp, 2, 0);
  const l2 = Number(await second.getAttribute('data-lesson')), s2 = Number(await second.getAttribute('data-student'));
  const v2 = (await cellOnPage(dp, args, l2, s2)).version;
  await second.click();
  await second.press('6');
  assert.match(await tp.textContent('#status'), /«6» — не отметка/);
  await second.press('Enter');
  assert.equal((await cellOnPage(dp, args, l2, s2)).version, v2);

  // The mark just set, corrected in place to a 5 with a reason; the deputy's audit shows who, what and why.
  const markEl = tp.locator(`td.cell[data-lesson="${lesson}"][data-student="${student}"] span.m`).last();
  assert.match(await markEl.getAttribute('class'), /\bm3\b/);
  await markEl.click();
  await tp.waitForSelector('#mark-value');
  await tp.selectOption('#mark-value', '5');
  await tp.fill('#mark-reason', 'описка при вводе');
  await tp.screenshot({ path: join(OUT, 'journal-correct-mark.png') });
  await tp.click('#editor button[type=submit]');
  await tp.waitForSelector('#editor', { state: 'detached' });
  await tp.waitForFunction(([l, s]) => [...document.querySelectorAll(`td.cell[data-lesson="${l}"][data-student="${s}"] span.m`)].some((m) => m.classList.contains('m5')),
    [lesson, student]);
  const trail = (await ask(dp, 'audit.cell', { lesson, student })).items;
  const corrected = trail.find((e) => e.kind === 'mark_corrected');
  assert.ok(corrected, 'the audit has the correction');
  assert.equal(corrected.before, '3');
  assert.equal(corrected.after, '5');
  assert.equal(corrected.reason, 'описка при вводе');

  // The register in one action, from the lesson's heading.
  const me = await ask(tp, 'me');
  const lessonInfo = (await ask(dp, 'journal.page', args)).lessons.find((l) => l.id === lesson);
  await tp.click(`button.lesson-edit[data-lesson="${lesson}"]`);
  await tp.click('#take-attendance');
  await tp.waitForSelector('#editor', { state: 'detached' });
  assert.match(await tp.textContent('#status'), /Посещаемость отмечена/);
  const day = await ask(dp, 'control.day', { teacher: me.user, day: lessonInfo.day });
  assert.ok(day.find((l) => l.lesson === lesson).register_taken, 'control sees the register taken');

  // A term mark, then its replacement, which asks for a reason.
  const termButton = tp.locator('td.term-mark button').nth(1);
  const termStudent = Number(await termButton.getAttribute('data-student'));
  await termButton.click();
  if (await tp.$('#attestation-reason')) await tp.fill('#attestation-reason', 'первая отметка исправляется');
  await tp.selectOption('#attestation-value', '4');
  await tp.click('#editor button[type=submit]');
  await tp.waitForSelector('#editor', { state: 'detached' });
  await tp.waitForFunction((s) => document.querySelector(`td.term-mark button[data-student="${s}"]`).textContent === '4', termStudent);
  await tp.locator(`td.term-mark button[data-student="${termStudent}"]`).click();
  await tp.waitForSelector('#attestation-reason');
  await tp.selectOption('#attestation-value', '5');
  await tp.fill('#attestation-reason', 'исправлена после пересдачи');
  await tp.click('#editor button[type=submit]');
  await tp.waitForSelector('#editor', { state: 'detached' });
  const row = (await ask(dp, 'journal.page', args)).rows.find((r) => r.student === termStudent);
  assert.equal(row.term_mark, '5');
  await tp.screenshot({ path: join(OUT, 'journal-marks.png'), fullPage: true });
  await Promise.all([tp.context().close(), dp.context().close()]);
});

test('on a phone a tapped cell opens a mark picker', async () => {
  const tp = await signIn(teacher(), { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
  const dp = await signIn(deputy());
  await openJournal(tp);
  const args = await journalArgs(tp);
  if ((await ask(tp, 'roster.terms')).find((t) => t.id === args.term).closed) {  // the demo's past terms are closed
    await ask(dp, 'reopen_term', { term: args.term, reason: 'проверка журнала учителем' }, true);
    await termIs(dp, args.term, false);
    await tp.reload();
    await tp.waitForSelector('table.grid td.cell');
  }
  const td = cellLocator(tp, 3, 0);
  const lesson = Number(await td.getAttribute('data-lesson')), student = Number(await td.getAttribute('data-student'));
  const before = (await cellOnPage(dp, args, lesson, student)).marks.length;
  await td.tap();
  await tp.waitForSelector('.picker');
  await tp.screenshot({ path: join(OUT, 'journal-phone-picker.png') });
  await tp.click('.picker button.m5');
  await tp.waitForFunction(([l, s, n]) => document.querySelectorAll(`td.cell[data-lesson="${l}"][data-student="${s}"] .m`).length === n,
    [lesson, student, before + 1]);
  const cell = await cellOnPage(dp, args, lesson, student);
  assert.equal(cell.marks[cell.marks.length - 1].value, 5);
  await tp.screenshot({ path: join(OUT, 'journal-phone.png'), fullPage: true });
  await Promise.all([tp.context().close(), dp.context().close()]);
});

test('a deputy closes a term and decides a teacher\'s correction request in the browser; the teacher sees the decision on "Сегодня"', async () => {
  const tp = await signIn(teacher());
  const dp = await signIn(deputy());
  await openJournal(tp);
  const args = await journalArgs(tp);
  const term = (await ask(dp, 'roster.terms')).find((t) => t.id === args.term);

  // The deputy closes the term from "Учебные периоды".
  await dp.click('nav a[href="#/control"]');
  await dp.waitForSelector('#view');
  await dp.selectOption('#view', 'terms');
  await dp.waitForSelector(`tr[data-term="${term.id}"]`);
  if (term.closed) {  // open it first, with a reason
    dp.once('dialog', (d) => d.accept('проверка журнала'));
    await dp.click(`tr[data-term="${term.id}"] button.reopen`);
    await dp.waitForSelector(`tr[data-term="${term.id}"] button.close`);
  }
  dp.once('dialog', (d) => d.accept());
  await dp.click(`tr[data-term="${term.id}"] button.close`);
  await dp.waitForSelector(`tr[data-term="${term.id}"] button.reopen`);
  assert.ok((await termIs(dp, term.id, true)).find((t) => t.id === term.id).closed);
  await dp.screenshot({ path: join(OUT, 'control-terms.png'), fullPage: true });

  // The teacher asks for a mark in the closed term.
  await tp.reload();
  await tp.waitForSelector('.closed-banner');
  const td = cellLocator(tp, 2, 1);
  const lesson = Number(await td.getAttribute('data-lesson')), student = Number(await td.getAttribute('data-student'));
  const before = (await cellOnPage(dp, args, lesson, student)).marks.length;
  await td.click();
  await td.press('5');
  await td.press('Enter');
  await tp.fill('#correction-reason', 'пересдача темы');
  await tp.click('#editor button[type=submit]');
  await tp.waitForSelector('#editor', { state: 'detached' });
  const request = Number((await tp.textContent('#status')).match(/№ (\d+)/)[1]);

  // The deputy approves it from "Запросы на исправление"; the mark is then in the journal.
  await dp.selectOption('#view', 'corrections');
  await dp.waitForSelector(`tr[data-request="${request}"] button.approve`);
  assert.match(await dp.textContent(`tr[data-request="${request}"]`), /поставить отметку 5/);
  await dp.screenshot({ path: join(OUT, 'control-corrections.png'), fullPage: true });
  dp.once('dialog', (d) => d.accept('согласовано с учителем'));
  await dp.click(`tr[data-request="${request}"] button.approve`);
  await dp.waitForFunction((r) => !document.querySelector(`tr[data-request="${r}"] button.approve`), request);
  assert.match(await dp.textContent('#status'), /одобрен/);
  const cell = await eventually(() => cellOnPage(dp, args, lesson, student), (c) => c.marks.length > before);
  assert.equal(cell.marks.length, before + 1);
  assert.equal(cell.marks[cell.marks.length - 1].value, 5);

  // The teacher's day lists the request as approved, with the deputy's comment.
  await tp.click('nav a[href="#/today"]');
  await tp.waitForSelector(`#my-corrections tr[data-request="${request}"]`);
  assert.match(await tp.textContent(`#my-corrections tr[data-request="${request}"]`), /одобрено — согласовано с учителем/);
  await tp.screenshot({ path: join(OUT, 'today-corrections.png'), fullPage: true });
  await ask(dp, 'reopen_term', { term: term.id, reason: 'проверка журнала учителем' }, true);
  await Promise.all([tp.context().close(), dp.context().close()]);
});

test('a deputy records a substitution by day, class and period among the free teachers, and reads the табель', async () => {
  const dp = await signIn(deputy());
  await dp.click('nav a[href="#/control"]');
  await dp.waitForSelector('#view');
  // A school day of the demo with lessons: the first one from the year's third week.
  const classes = await ask(dp, 'roster.classes');
  const { day, lessons } = await lessonDay(addDays((await schoolYear(dp)).first, 14), (d) => ask(dp, 'control.lessons_on', { day: d }));
  // The demo's past terms are closed: the deputy reopens those of that day first (and closes them at the end).
  const reopened = (await ask(dp, 'roster.terms')).filter((t) => t.closed && t.first_day <= day && day <= t.last_day);
  for (const t of reopened) await ask(dp, 'reopen_term', { term: t.id, reason: 'внести замены' }, true);
  const target = lessons.find((l) => l.held && !l.substitute);
  assert.ok(target, 'a held lesson without a substitute');
  const busy = new Set(lessons.filter((l) => l.period === target.period && l.held).map((l) => l.substitute || l.teacher));

  await dp.fill('#from', day.slice(0, 8) + '01');
  await dp.dispatchEvent('#from', 'change');
  const monthEnd = addDays(addDays(day.slice(0, 8) + '01', 32).slice(0, 8) + '01', -1);
  await dp.fill('#to', monthEnd);
  await dp.dispatchEvent('#to', 'change');
  await dp.selectOption('#view', 'register');
  await dp.waitForSelector('#register-form');
  await dp.fill('#reg-day', day);
  await dp.dispatchEvent('#reg-day', 'change');
  await dp.waitForSelector('#register-form:not([data-loading])');
  await dp.selectOption('#reg-class', String(target.class_id));
  await dp.waitForSelector('#register-form:not([data-loading])');
  await dp.waitForSelector(`#reg-period option[value="${target.lesson}"]`, { state: 'attached' });
  await dp.selectOption('#reg-period', String(target.lesson));
  const offered = (await dp.$$eval('#reg-substitute option', (os) => os.map((o) => Number(o.value)))).filter(Boolean);
  assert.ok(offered.length > 0, 'some teacher is free');
  for (const t of offered) assert.ok(!busy.has(t), `teacher ${t} teaches in that period and must not be offered`);
  await dp.selectOption('#reg-substitute', String(offered[0]));
  await dp.fill('#reg-reason', 'болезнь учителя');
  await dp.screenshot({ path: join(OUT, 'register-form.png'), fullPage: true });
  await dp.click('#register-form button[type=submit]');
  await dp.waitForFunction(() => /Замена записана/.test(document.querySelector('#status').textContent) ||
    document.querySelector('#reg-error')?.textContent);
  assert.equal(await dp.$eval('#reg-error', (e) => e.textContent).catch(() => ''), '');
  const recorded = (await ask(dp, 'control.register', { from: day, to: day })).items.find((r) => r.lesson === target.lesson);
  assert.equal(recorded.substitute, offered[0]);

  // Cancelling a lesson that holds marks or attendance is refused, and the form says what it holds.
  const terms = await ask(dp, 'roster.terms');
  let full = null;
  for (const l of (await ask(dp, 'control.lessons_on', { day })).filter((x) => x.held && !x.substitute && x.lesson !== target.lesson)) {
    const c = classes.find((k) => k.id === l.class_id);
    const term = terms.find((t) => t.year === c.year && c.grade >= t.grade_from && c.grade <= t.grade_to && t.first_day <= day && day <= t.last_day);
    if (!term || term.closed) continue;
    const jp = await ask(dp, 'journal.page', { class_id: l.class_id, group: l.group, subject: l.subject, term: term.id });
    const col = jp.lessons.findIndex((x) => x.id === l.lesson);
    if (jp.rows.some((r) => r.cells[col].marks.length || r.cells[col].attendance)) { full = l; break; }
  }
  assert.ok(full, 'a held lesson of that day with marks or attendance');
  {
    await dp.selectOption('#reg-class', String(full.class_id));
    await dp.waitForSelector('#register-form:not([data-loading])');
    await dp.waitForSelector(`#reg-period option[value="${full.lesson}"]`, { state: 'attached' });
    await dp.selectOption('#reg-period', String(full.lesson));
    await dp.selectOption('#reg-substitute', '0');
    await dp.fill('#reg-reason', 'карантин');
    await dp.click('#register-form button[type=submit]');
    await dp.waitForFunction(() => document.querySelector('#reg-error').textContent !== '');
    assert.match(await dp.textContent('#reg-error'), /В уроке есть записи: отметок — \d+, отметок посещаемости — \d+/);
    assert.ok(!(await ask(dp, 'control.register', { from: day, to: day })).items.some((r) => r.lesson === full.lesson));
  }
  await dp.selectOption('#view', 'timesheet');
  await dp.waitForSelector('table.timesheet tfoot');
  const heads = await dp.$$eval('table.timesheet thead th', (ths) => ths.length);
  assert.ok(heads >= 28 + 4, 'a column per day of the month');
  const total = Number(await dp.textContent('table.timesheet tfoot td.total'));
  const sheet = await ask(dp, 'control.time_sheet', { from: day.slice(0, 8) + '01', to: monthEnd });
  assert.equal(total, sheet.reduce((x, r) => x + r.given + r.substitutions, 0));
  await dp.screenshot({ path: join(OUT, 'time-sheet.png'), fullPage: true });
  for (const t of reopened) await ask(dp, 'close_term', { term: t.id }, true);
  await dp.context().close();
});

test('the journal is picked by class first, then subject; the class named is the class shown', async () => {
  const dp = await signIn(deputy());
  const classes = await ask(dp, 'roster.classes');
  const target = classes.find((c) => c.name === '7Б') || classes[classes.length - 1];
  const assignment = (await ask(dp, 'roster.assignments', {})).items.find((a) => a.class_id === target.id && !a.ended);
  await dp.goto(`${suite.base}/#/journal?class=${target.id}&group=${assignment.group}&subject=${assignment.subject}`);
  await dp.waitForFunction((id) => document.querySelector('#journal-class')?.value === String(id) && document.querySelector('table.grid td.cell'), target.id);
  assert.equal(Number(await dp.$eval('#journal-class', (s) => s.value)), target.id);
  const names = await dp.$$eval('#journal-class option', (os) => os.map((o) => o.textContent));
  const sorted = [...names].sort(new Intl.Collator('ru', { numeric: true }).compare);
  assert.deepEqual(names, sorted, 'classes in Russian order');
  // Every subject offered belongs to the chosen class.
  const values = await dp.$$eval('#assignment option', (os) => os.map((o) => o.value));
  for (const v of values) assert.equal(Number(v.split(':')[0]), target.id);
  // Another class: the subjects follow it.
  const other = classes.find((c) => c.id !== target.id);
  await dp.selectOption('#journal-class', String(other.id));
  await dp.waitForFunction((id) => document.querySelector('#journal-class')?.value === String(id) &&
    document.querySelector('table.grid') && [...document.querySelectorAll('#assignment option')].every((o) => o.value.startsWith(`${id}:`)), other.id);
  await dp.screenshot({ path: join(OUT, 'journal-picker.png') });
  await dp.context().close();
});

test('the diary\'s chart offers only the pupil\'s own subjects', async () => {
  const parent = suite.logins.find((l) => l[0] === 'родитель');
  const pp = await signIn(parent, { viewport: { width: 390, height: 844 } });
  const me = await ask(pp, 'me');
  await pp.waitForSelector('#days');
  // The year's second week, which has lessons whatever today is.
  const monday = mondayOf(addDays((await schoolYear(pp)).first, 7));
  await pp.fill('#week', monday);
  await pp.dispatchEvent('#week', 'change');
  await pp.waitForSelector('.diary-lesson');
  const week = await ask(pp, 'diary.week', { student: me.children[0].id, monday });
  const own = new Set(week.lessons.map((l) => l.subject));
  const offered = (await pp.$$eval('#chart-subject option', (os) => os.map((o) => Number(o.value)))).filter(Boolean);
  assert.ok(offered.length > 3);
  for (const s of offered) assert.ok(own.has(s), `subject ${s} is one of the pupil's`);
  assert.ok(offered.length < (await ask(pp, 'roster.subjects')).length, 'not every subject of the school');
  await pp.context().close();
});

test('a control count opens the lessons behind it', async () => {
  const dp = await signIn(deputy());
  await dp.click('nav a[href="#/control"]');
  await dp.waitForSelector('#view');
  const first = (await schoolYear(dp)).first;
  await dp.fill('#from', first);
  await dp.dispatchEvent('#from', 'change');
  await dp.fill('#to', schoolToday());
  await dp.dispatchEvent('#to', 'change');
  await dp.waitForSelector(`#report[data-shown="overview:${first}:${schoolToday()}:"] button.link`);
  const button = dp.locator('#report button.link').first();
  const n = Number(await button.textContent());
  await button.click();
  await dp.waitForSelector('#control-details tbody tr');
  assert.equal(await dp.locator('#control-details tbody tr').count(), n);
  assert.ok(await dp.locator('#control-details a[href^="#/journal?class="]').count() === n, 'each lesson links to its journal');
  await dp.context().close();
});

test('the administrator issues a class its passwords as printed slips, and a pupil signs in with one', async () => {
  const admin = suite.logins.find((l) => l[0] === 'администратор');
  const ap = await signIn(admin);
  await ap.click('nav a[href="#/admin"]');
  await ap.waitForSelector('#slips-form');
  const classes = await ask(ap, 'roster.classes');
  const c = classes.find((k) => k.name === '5А') || classes[0];
  await ap.selectOption('#slips-class', String(c.id));
  ap.once('dialog', (d) => d.accept());
  await ap.click('#slips-form button[type=submit]');
  await ap.waitForSelector('#slips .slip');
  const list = await ask(ap, 'roster.class', { class_id: c.id });
  const expected = list.length + list.reduce((n, s) => n + s.parent_accounts.length, 0);
  assert.equal(await ap.locator('#slips .slip').count(), expected, 'a slip per pupil and per parent');
  await ap.evaluate(() => document.body.classList.add('printing-slips'));
  await ap.emulateMedia({ media: 'print' });
  // Printed, the slips are all there is: no header, no user list, no statistics.
  assert.ok(await ap.locator('#slips .slip').first().isVisible(), 'the slips print');
  for (const other of ['header.top', '#stats', '#users table', '#slips-form'])
    assert.equal(await ap.locator(other).first().isVisible(), false, `${other} does not print`);
  await ap.screenshot({ path: join(OUT, 'admin-slips-print.png'), fullPage: true });
  await ap.emulateMedia({ media: 'screen' });
  await ap.evaluate(() => document.body.classList.remove('printing-slips'));
  await ap.screenshot({ path: join(OUT, 'admin-slips.png'), fullPage: true });

  // A pupil signs in with the slip and must choose a password of their own.
  const pupil = list[0];
  const slip = ap.locator(`#slips .slip[data-login="${pupil.login}"]`);
  const password = await slip.locator('code.password').textContent();
  const context = await suite.browser.newContext({ locale: 'ru-RU', timezoneId: 'Europe/Moscow' });
  const sp = await context.newPage();
  sp.on('pageerror', (err) => pageErrors.push(`${pupil.login}: ${err.message}`));
  await sp.goto(suite.base + '/');
  await sp.fill('#login', pupil.login);
  await sp.fill('#password', password);
  await sp.click('#login-form button[type=submit]');
  await sp.waitForSelector('#password-form');
  await sp.fill('#old-password', password);
  await sp.fill('#new-password', NEW_PASSWORD);
  await sp.fill('#new-password-2', NEW_PASSWORD);
  await sp.click('#password-form button[type=submit]');
  await sp.waitForSelector('#logout');
  // The pupil lands on their diary, under their own name.
  await sp.waitForSelector('#days');
  assert.ok((await sp.textContent('#who')).includes(pupil.name), 'signed in as the pupil of the slip');
  await Promise.all([context.close(), ap.context().close()]);
});

test('the administrator finds pupils and parents by name or login across the school', async () => {
  const admin = suite.logins.find((l) => l[0] === 'администратор');
  const ap = await signIn(admin);
  await ap.click('nav a[href="#/admin"]');
  await ap.waitForSelector('#people tbody tr');
  const classes = await ask(ap, 'roster.classes');
  const c = classes.find((k) => k.name === '7А') || classes[1];
  const pupil = (await ask(ap, 'roster.class', { class_id: c.id }))[0];
  await ap.selectOption('#people-class', '0');  // the whole school
  await ap.waitForFunction(() => /Найдено|Показаны/.test(document.querySelector('#people-count').textContent));
  const surname = pupil.name.split(' ')[0];
  await ap.fill('#people-search', surname);
  await ap.waitForSelector(`#people tr[data-login="${pupil.login}"]`);
  for (const name of await ap.$$eval('#people tbody tr td:nth-child(2)', (tds) => tds.map((td) => td.textContent)))
    assert.ok(name.toLocaleLowerCase('ru').includes(surname.toLocaleLowerCase('ru')), `${name} matches ${surname}`);
  await ap.selectOption('#people-role', 'student');
  assert.ok(await ap.$(`#people tr[data-login="${pupil.login}"]`));
  await ap.fill('#people-search', pupil.login);
  assert.equal(await ap.locator('#people tbody tr').count(), 1);
  await ap.click(`#people tr[data-login="${pupil.login}"] button`);
  await ap.waitForFunction(() => /Одноразовый пароль/.test(document.querySelector('#people-one-time').textContent));
  await ap.screenshot({ path: join(OUT, 'admin-people.png'), fullPage: true });
  await ap.context().close();
});

// Windows-1251, as Russian Excel saves a CSV: А…я are 0xC0…0xFF, Ё 0xA8, ё 0xB8.
function cp1251(text) {
  return Buffer.from([...text].map((ch) => {
    const c = ch.codePointAt(0);
    if (c < 0x80) return c;
    if (c >= 0x410 && c <= 0x44f) return c - 0x410 + 0xc0;
    if (c === 0x401) return 0xa8;
    if (c === 0x451) return 0xb8;
    throw new Error(`not in Windows-1251: ${ch}`);
  }));
}

test('a curator imports a class list saved by Excel in Windows-1251; an exact repeat is named and enrolled once', async () => {
  const curator = suite.logins.find((l) => l[0].includes('классный руководитель'));
  const cp = await signIn(curator);
  await cp.click('nav a[href="#/class"]');
  await cp.waitForSelector('#class-list tbody tr');
  const before = await cp.locator('#class-list tbody tr').count();
  const csv = 'Фамилия;Имя;Отчество;Дата рождения\r\n' +
    'Жуков;Семён;Ильич;05.04.2015\r\n' +
    'Ёлкина;Дарья;Олеговна;17.11.2014\r\n' +
    'Жуков;Семён;Ильич;05.04.2015\r\n';
  await cp.setInputFiles('#csv-file', { name: 'класс.csv', mimeType: 'text/csv', buffer: cp1251(csv) });
  await cp.waitForSelector('#csv-summary');
  assert.match(await cp.textContent('#csv-summary'), /Строк: 3, с ошибками: 1.*Windows-1251/);
  assert.match(await cp.textContent('#csv-preview'), /Ёлкина/);
  assert.match(await cp.textContent('#csv-preview tr.bad .errors'), /повтор строки 2/);
  await cp.click('#csv-import');
  await cp.waitForFunction(() => /Зачислено: 2 из 2/.test(document.querySelector('#csv-result')?.textContent || ''));
  await cp.waitForFunction((n) => document.querySelectorAll('#class-list tbody tr').length === n, before + 2);
  // The list is in Russian alphabetical order (Ё with Е), and each pupil is in it once.
  const names = await cp.$$eval('#class-list tbody tr td:nth-child(2)', (tds) => tds.map((td) => td.textContent));
  assert.deepEqual(names, [...names].sort(new Intl.Collator('ru').compare));
  assert.equal(names.filter((n) => n.startsWith('Жуков Семён')).length, 1);
  await cp.screenshot({ path: join(OUT, 'class-import-1251.png'), fullPage: true });
  await cp.context().close();
});

test('a curator links a family\'s existing parent account to a second child instead of creating a duplicate', async () => {
  const curator = suite.logins.find((l) => l[0].includes('классный руководитель'));
  const klass = curator[3].split(' ').pop();
  // A parent of a pupil of another class: the login the family would tell the curator (found here as the deputy).
  const dp = await signIn(deputy());
  const other = (await ask(dp, 'roster.classes')).find((c) => c.name !== klass && c.grade > 1);
  const otherLogin = (await ask(dp, 'roster.class', { class_id: other.id })).find((st) => st.parent_accounts.length).parent_accounts[0].login;
  await dp.context().close();
  const cp = await signIn(curator);
  await cp.click('nav a[href="#/class"]');
  await cp.waitForSelector('#class-list tbody tr');
  const row = cp.locator('#class-list tbody tr').nth(2);
  const student = Number(await row.getAttribute('data-student'));
  const before = (await ask(cp, 'people.personal_data', { kind: 'student', subject: student })).parents.length;
  await row.locator('button.link').click();
  await cp.waitForSelector('#link-parent');
  await cp.fill('#link-parent-login', otherLogin);
  await cp.click('#link-parent button[type=submit]');
  await cp.waitForSelector('#link-parent-confirm');
  assert.match(await cp.textContent('#link-parent-found'), /детей в школе — 1/);
  await cp.click('#link-parent-confirm');
  const after = await eventually(() => ask(cp, 'people.personal_data', { kind: 'student', subject: student }),
    (r) => r.parents.length === before + 1);
  assert.equal(after.parents.length, before + 1);
  await cp.screenshot({ path: join(OUT, 'class-link-parent.png'), fullPage: true });
  await cp.context().close();
});

test('the director starts on the school at a glance: today\'s entries, and each class\'s average and quality for the term', async () => {
  const director = suite.logins.find((l) => l[0] === 'директор');
  const tp = await signIn(teacher());
  const dirp = await signIn(director, { viewport: { width: 1280, height: 900 } });
  await dirp.waitForSelector('main[data-ready], .view[data-ready]');
  assert.match(dirp.url(), /#\/school$/, 'the director lands on "Школа"');
  const before = Number((await dirp.textContent('#fig-marks strong')).replace(/\s/g, ''));

  // A teacher enters a mark now (in a term it reopens if need be); the page, reloaded, counts it.
  await openJournal(tp);
  const args = await journalArgs(tp);
  const dp = await signIn(deputy());
  if ((await ask(dp, 'roster.terms')).find((t) => t.id === args.term).closed) {
    await ask(dp, 'reopen_term', { term: args.term, reason: 'проверка' }, true);
    await termIs(dp, args.term, false);
  }
  const page = await ask(tp, 'journal.page', args);
  const lesson = page.lessons.findLast((l) => l.held);
  assert.ok(lesson, 'the term has a held lesson');
  await ask(tp, 'set_mark', { lesson: lesson.id, student: page.rows[0].student, value: 5, work_type: 1 }, true);
  await eventually(() => ask(dirp, 'stats.summary', { from: schoolToday(), to: schoolToday() }),
    (s) => (s.days.find((d) => d.day === schoolToday())?.marks ?? 0) > before);
  await dirp.reload();
  await dirp.waitForSelector('.view[data-ready]');
  assert.equal(Number((await dirp.textContent('#fig-marks strong')).replace(/\s/g, '')), before + 1);

  // The classes' table agrees with stats.progress for the same period, and names the classes in Russian order.
  const from = await dirp.inputValue('#school-from'), to = await dirp.inputValue('#school-to');
  const rows = await ask(dirp, 'stats.progress', { from, to });
  const classes = await ask(dirp, 'roster.classes');
  const c5 = classes.find((k) => k.name === '5А');
  const of5 = rows.filter((r) => r.class_id === c5.id);
  const count = of5.reduce((n, r) => n + r.count, 0);
  const good = of5.reduce((n, r) => n + r.marks['4'] + r.marks['5'], 0);
  const row = dirp.locator(`#school-classes tr[data-class="${c5.id}"] td`);
  assert.equal(await row.nth(2).textContent(), String(count));
  assert.equal(await row.nth(5).textContent(), (Math.round((1000 * good) / count) / 10).toLocaleString('ru-RU', { minimumFractionDigits: 1, maximumFractionDigits: 1 }));
  const names = await dirp.$$eval('#school-classes tbody td:first-child', (tds) => tds.map((t) => t.textContent));
  assert.ok(names.indexOf('2А') < names.indexOf('10А'), 'classes in school order (2А before 10А)');
  assert.ok(await dirp.$('#school-chart .uplot'), 'the classes\' chart is drawn');
  assert.ok(await dirp.$('#school-daily .uplot'), 'the daily chart is drawn');
  await dirp.screenshot({ path: join(OUT, 'school.png'), fullPage: true });

  // On a phone.
  await dirp.setViewportSize({ width: 390, height: 844 });
  await dirp.reload();
  await dirp.waitForSelector('.view[data-ready]');
  await dirp.screenshot({ path: join(OUT, 'school-phone.png'), fullPage: true });
  await Promise.all([tp.context().close(), dirp.context().close(), dp.context().close()]);
});

test('a deputy sets up a class in the browser — subject, work type, class, a new teacher\'s load, the timetable grid, lessons from it — and the teacher finds the journal', async () => {
  const admin = suite.logins.find((l) => l[0] === 'администратор');
  const ap = await signIn(admin);
  // The administrator creates the teacher's account (the admin page) and issues a password.
  const login = `newteacher${Date.now() % 100000}`;
  await ask(ap, 'create_staff_account', { login, role: 'teacher', display_name: 'Новикова Алла Петровна', curator_of: 0 }, true);
  const staff = await eventually(() => ask(ap, 'roster.staff'), (s) => s.some((x) => x.login === login));
  const newTeacher = staff.find((x) => x.login === login);
  const { one_time_password: password } = await ask(ap, 'issue_credential', { user: newTeacher.id }, true);

  const dp = await signIn(deputy(), { viewport: { width: 1280, height: 900 } });
  await dp.click('nav a[href="#/setup"]');
  await dp.waitForSelector('.view[data-ready] #setup-timetable');
  // A subject and a work type.
  const subject = `Астрономия ${Date.now() % 1000}`;
  await dp.fill('#subject-name', subject);
  await dp.fill('#subject-short', 'астр');
  await dp.click('#new-subject button[type=submit]');
  await dp.waitForFunction(() => /добавлен/.test(document.querySelector('#new-subject .result').textContent));
  await dp.fill('#work-type-name', 'Проект');
  await dp.fill('#work-type-weight', '3');
  await dp.click('#new-work-type button[type=submit]');
  await dp.waitForSelector('#work-types-list td:text("Проект")');
  // A refused command is said beside its form: a class of grade 12.
  await dp.fill('#class-grade', '12');
  await dp.fill('#class-name', '12Я');
  await dp.evaluate(() => { document.querySelector('#class-grade').removeAttribute('max'); });
  await dp.click('#new-class button[type=submit]');
  await dp.waitForSelector('#new-class .result.error');
  // The class.
  await dp.fill('#class-grade', '11');
  await dp.fill('#class-name', '11Я');
  await dp.click('#new-class button[type=submit]');
  await dp.waitForSelector('#classes-list .chip:text("11Я")');
  const created = (await ask(dp, 'roster.classes')).find((c) => c.name === '11Я');
  // The new teacher's load, in the new class.
  await dp.selectOption('#load-class', String(created.id));
  await dp.waitForSelector('#load-teacher');
  await dp.selectOption('#load-teacher', String(newTeacher.id));
  await dp.selectOption('#load-subject', { label: subject });
  await dp.click('#new-assignment button[type=submit]');
  await dp.waitForSelector('#load-list tbody tr');
  // The timetable: Wednesday, 3rd period.
  await dp.waitForSelector('#tt-3-3 option:nth-child(2)', { state: 'attached' });
  await dp.selectOption('#tt-3-3', { index: 1 });
  await dp.waitForSelector('#timetable-grid td[data-weekday="3"][data-period="3"] .entry');
  assert.match(await dp.textContent('#timetable-grid td[data-weekday="3"][data-period="3"] .entry'), /астр/);
  const entries = await ask(dp, 'roster.timetable', { class_id: created.id });
  assert.equal(entries.length, 1);
  assert.equal(entries[0].teacher, newTeacher.id);
  // Lessons from it, from the year's first day to today: those of the new class only, as every other class's
  // lessons of that period exist already (the command makes what the timetables lack, month by month).
  const year = (await ask(dp, 'roster.years')).find((y) => y.id === created.year);
  await dp.fill('#schedule-first', year.first_day);
  await dp.fill('#schedule-last', schoolToday());
  await dp.click('#schedule-form button[type=submit]');
  await dp.waitForFunction(() => /Создано уроков: \d+|Новых уроков нет/.test(document.querySelector('#schedule-form .result').textContent));
  const made = Number((await dp.textContent('#schedule-form .result')).match(/\d+/)?.[0] ?? 0);
  const wednesdays = Math.floor((Date.parse(schoolToday()) - Date.parse(year.first_day)) / (7 * 86400000)) + 1;
  assert.ok(made >= 1 && made <= wednesdays + 1, `the new class's Wednesdays (${made} made, about ${wednesdays} expected)`);
  await dp.screenshot({ path: join(OUT, 'setup.png'), fullPage: true });
  await dp.setViewportSize({ width: 390, height: 844 });
  await dp.screenshot({ path: join(OUT, 'setup-phone.png'), fullPage: true });

  // The teacher signs in and finds the journal of 11Я with its Wednesday lessons.
  const tp = await signIn(['учитель', login, password, 'новый учитель']);
  await tp.click('nav a[href="#/journal"]');
  await tp.waitForSelector('#journal-class');
  assert.equal(await tp.$eval('#journal-class', (s) => s.selectedOptions[0].textContent), '11Я');
  await tp.waitForSelector('table.grid thead th');
  const cols = await tp.locator('table.grid thead th button.lesson-edit').count();
  assert.ok(cols > 0, 'the journal has lessons');
  await Promise.all([ap.context().close(), dp.context().close(), tp.context().close()]);
});

test('a deputy transfers a pupil to another class from the pupil\'s card; the old class\'s journal keeps them until that day', async () => {
  const dp = await signIn(deputy());
  await dp.click('nav a[href="#/class"]');
  await dp.waitForSelector('#class');
  const classes = await ask(dp, 'roster.classes');
  const year = Math.max(...classes.map((c) => c.year));
  const from = classes.find((c) => c.name === '6Б' && c.year === year), to = classes.find((c) => c.name === '6В' && c.year === year);
  await dp.selectOption('#class', String(from.id));
  await dp.waitForSelector('#class-list tr[data-student] button.link');
  const pupil = Number(await dp.getAttribute('#class-list tr[data-student]:last-child', 'data-student'));
  await dp.click('#class-list tr[data-student]:last-child button.link');
  await dp.waitForSelector('#transfer');
  await dp.selectOption('#transfer-class', String(to.id));
  await dp.fill('#transfer-reason', 'по заявлению родителей');
  await dp.click('#transfer button[type=submit]');
  await dp.waitForFunction(() => /Переведён в 6В/.test(document.querySelector('#status')?.textContent || ''));
  const now = await eventually(() => ask(dp, 'roster.class', { class_id: to.id }), (l) => l.some((s) => s.id === pupil));
  assert.ok(now.some((s) => s.id === pupil), 'the pupil is in 6В');
  assert.ok(!(await ask(dp, 'roster.class', { class_id: from.id })).some((s) => s.id === pupil), 'and no longer in 6Б');
  await dp.waitForSelector('#person', { state: 'detached' });  // the card of a pupil who left the class closes
  assert.equal(await dp.locator(`#class-list tr[data-student="${pupil}"]`).count(), 0, 'the list no longer shows them');
  await dp.screenshot({ path: join(OUT, 'class-transfer.png'), fullPage: true });
  await dp.context().close();
});

test('a curator sees each study group\'s members, and a pupil cannot join both halves of one subject\'s split', async () => {
  const curator = suite.logins.find((l) => l[0] === 'учитель, классный руководитель');
  const cp = await signIn(curator);
  await cp.click('nav a[href="#/class"]');
  await cp.waitForSelector('#groups-list li[data-group]');
  const classId = Number(await cp.$eval('#class', (s) => s.value));
  const groups = await ask(cp, 'roster.groups', { class_id: classId });
  const [g1, g2] = groups;
  await cp.click(`#groups-list li[data-group="${g1.id}"] summary`);
  assert.equal(await cp.locator(`#groups-list li[data-group="${g1.id}"] ol.members li`).count(), g1.students.length);
  // A pupil of group 1 ticked into group 2 as well (the demo teaches split subjects in both): refused, said.
  const pupil = g1.students[0];
  await cp.click(`#class-list tr[data-student="${pupil}"] button.link`);
  await cp.waitForSelector('#person-groups input[type=checkbox]');
  const boxes = cp.locator('#person-groups li');
  for (let i = 0; i < await boxes.count(); ++i) {
    if ((await boxes.nth(i).textContent()).trim() === g2.name) await boxes.nth(i).locator('input').check();
  }
  await cp.waitForFunction(() => /в двух группах одного предмета быть нельзя/.test(document.querySelector('#status').textContent));
  assert.ok(!(await ask(cp, 'roster.groups', { class_id: classId })).find((g) => g.id === g2.id).students.includes(pupil));
  await cp.screenshot({ path: join(OUT, 'class-groups.png'), fullPage: true });
  await cp.context().close();
});

test('the administrator finds a member of staff by name or login, and filters the list by role', async () => {
  const admin = suite.logins.find((l) => l[0] === 'администратор');
  const ap = await signIn(admin);
  await ap.click('nav a[href="#/admin"]');
  await ap.waitForSelector('#staff-list tbody tr');
  const staff = await ask(ap, 'roster.staff');
  const deputies = staff.filter((s) => s.roles.includes('deputy'));
  await ap.selectOption('#staff-role', 'deputy');
  assert.equal(await ap.locator('#staff-list tbody tr:not([hidden])').count(), deputies.length);
  await ap.selectOption('#staff-role', '');
  const someone = staff.find((s) => s.roles.includes('teacher'));
  const surname = someone.name.split(' ')[0];
  await ap.fill('#staff-search', surname.toLocaleLowerCase('ru').slice(0, 5));
  const shown = await ap.$$eval('#staff-list tbody tr:not([hidden])', (trs) => trs.map((tr) => tr.dataset.login));
  assert.ok(shown.includes(someone.login), 'the teacher is found by the start of the surname, in lower case');
  assert.ok(shown.length < staff.length, 'and the others are hidden');
  await ap.fill('#staff-search', 'zavuch1');
  assert.deepEqual(await ap.$$eval('#staff-list tbody tr:not([hidden])', (trs) => trs.map((tr) => tr.dataset.login)), ['zavuch1']);
  assert.match(await ap.textContent('#staff-found'), /Показано: 1 из \d+/);
  await ap.screenshot({ path: join(OUT, 'admin-staff-search.png'), fullPage: false });
  await ap.context().close();
});

test('a teacher of a graduating class sets year and examination marks in the grid, and replaces one with a reason', async () => {
  const admin = suite.logins.find((l) => l[0] === 'администратор');
  const ap = await signIn(admin);
  const classes = await ask(ap, 'roster.classes');
  const year = Math.max(...classes.map((c) => c.year));
  const c9 = classes.find((c) => c.name === '9А' && c.year === year);
  const assignment = (await ask(ap, 'roster.assignments')).items.find((a) => a.class_id === c9.id && a.group === 0 && !a.ended);
  const who = (await ask(ap, 'roster.staff')).find((s) => s.id === assignment.teacher);
  const { one_time_password: password } = await ask(ap, 'issue_credential', { user: who.id }, true);
  const tp = await signIn(['учитель', who.login, password, 'учитель 9А'], { viewport: { width: 1400, height: 900 } });
  await tp.goto(`${suite.base}/#/journal?class=${c9.id}&group=0&subject=${assignment.subject}`);
  await tp.waitForSelector('table.grid td.exam-mark button');
  assert.deepEqual(await tp.$$eval('table.grid thead th[class$="-mark"]', (ths) => ths.map((t) => t.textContent)),
    [await tp.$eval('table.grid thead th.term-mark', (t) => t.textContent), 'Год', 'Экз.', 'Итог']);
  const student = Number(await tp.getAttribute('td.year-mark button >> nth=0', 'data-student'));
  const args = { class_id: c9.id, group: 0, subject: assignment.subject, term: Number(await tp.$eval('#term', (s) => s.value)) };
  const row = async () => (await ask(tp, 'journal.page', args)).rows.find((r) => r.student === student);

  await tp.click(`td.year-mark button[data-student="${student}"]`);
  if (await tp.$('#attestation-reason')) await tp.fill('#attestation-reason', 'уточнение');
  await tp.selectOption('#attestation-value', '4');
  await tp.click('#editor button[type=submit]');
  await eventually(row, (r) => r.year_mark === '4');
  await tp.waitForFunction((s) => document.querySelector(`td.year-mark button[data-student="${s}"]`)?.textContent === '4', student);

  await tp.click(`td.exam-mark button[data-student="${student}"]`);
  if (await tp.$('#attestation-reason')) await tp.fill('#attestation-reason', 'уточнение');
  await tp.selectOption('#attestation-value', '3');
  await tp.click('#editor button[type=submit]');
  await eventually(row, (r) => r.exam_mark === '3');
  await tp.waitForFunction((s) => document.querySelector(`td.exam-mark button[data-student="${s}"]`)?.textContent === '3', student);
  // Replacing it asks for the reason the domain requires.
  await tp.click(`td.exam-mark button[data-student="${student}"]`);
  await tp.waitForSelector('#attestation-reason');
  await tp.selectOption('#attestation-value', '4');
  await tp.fill('#attestation-reason', 'апелляция удовлетворена');
  await tp.click('#editor button[type=submit]');
  assert.equal((await eventually(row, (r) => r.exam_mark === '4')).exam_mark, '4');
  await tp.screenshot({ path: join(OUT, 'journal-graduating.png'), fullPage: false });
  await Promise.all([ap.context().close(), tp.context().close()]);
});

test('a deputy makes the сводная ведомость as PDF from "Отчёты", the printed digest checks out, and a changed one does not', async () => {
  const { execFileSync } = await import('node:child_process');
  const dp = await signIn(deputy(), { viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  await dp.click('nav a[href="#/reports"]');
  await dp.waitForSelector('.view[data-ready] #report-form');
  await dp.selectOption('#report-kind', 'summary');
  await dp.selectOption('#report-class', '5А');
  await dp.selectOption('#report-format', 'pdf');
  await dp.fill('#report-school', 'Гимназия № 1');
  const [download] = await Promise.all([dp.waitForEvent('download'), dp.click('#report-form button[type=submit]')]);
  assert.equal(download.suggestedFilename(), 'summary-5А.pdf');
  const file = join(OUT, 'report-summary-5A.pdf');
  await download.saveAs(file);
  const text = execFileSync('pdftotext', ['-layout', file, '-']).toString();
  const c5 = (await ask(dp, 'roster.classes')).find((c) => c.name === '5А');
  for (const pupil of await ask(dp, 'roster.class', { class_id: c5.id })) assert.ok(text.includes(pupil.name.split(' ').slice(0, 2).join(' ')), `${pupil.name} is on the sheet`);
  assert.match(text, /Гимназия № 1/);
  const digest = (await dp.textContent('#report-result')).match(/запись журнала (\d+:[0-9a-f]{64})/)[1];
  assert.ok(text.includes(digest), 'the pages carry the digest the page shows');
  execFileSync('qpdf', ['--check', file]);
  await dp.screenshot({ path: join(OUT, 'reports.png'), fullPage: true });

  await dp.fill('#digest', digest);
  await dp.click('#digest-form button[type=submit]');
  await dp.waitForFunction(() => /^Да:/.test(document.querySelector('#digest-verdict').textContent));
  const changed = digest.slice(0, -1) + (digest.endsWith('0') ? '1' : '0');
  await dp.fill('#digest', changed);
  await dp.click('#digest-form button[type=submit]');
  await dp.waitForFunction(() => /^Нет:/.test(document.querySelector('#digest-verdict').textContent));

  // A teacher is offered their own classes, and may not print another subject's journal.
  const tp = await signIn(teacher());
  await tp.click('nav a[href="#/reports"]');
  await tp.waitForSelector('.view[data-ready] #report-form');
  const offered = await tp.$$eval('#report-class option', (os) => os.map((o) => o.value));
  assert.ok(offered.length > 0 && !offered.includes(''), 'no "every class" for a teacher');
  await tp.selectOption('#report-kind', 'journal');
  await tp.selectOption('#report-subject', 'Физическая культура');
  await tp.click('#report-form button[type=submit]');
  await tp.waitForSelector('#report-result.error');
  assert.match(await tp.textContent('#report-result'), /учитель — журнал своего класса и предмета/);
  await tp.setViewportSize({ width: 390, height: 844 });
  await tp.screenshot({ path: join(OUT, 'reports-phone.png'), fullPage: true });

  // The administrator's report on the work in the journal, as XLSX, read back by openpyxl.
  const ap = await signIn(suite.logins.find((l) => l[0] === 'администратор'), { acceptDownloads: true });
  await ap.click('nav a[href="#/reports"]');
  await ap.waitForSelector('.view[data-ready] #report-form');
  assert.deepEqual(await ap.$$eval('#report-kind option', (os) => os.map((o) => o.value)), ['usage']);
  await ap.selectOption('#report-format', 'xlsx');
  const [sheet] = await Promise.all([ap.waitForEvent('download'), ap.click('#report-form button[type=submit]')]);
  const xlsx = join(OUT, 'report-usage.xlsx');
  await sheet.saveAs(xlsx);
  const total = execFileSync('/usr/bin/python3', ['-c', "import openpyxl,sys; ws=openpyxl.load_workbook(sys.argv[1])['Учётные записи']; " +
    "print([r[1] for r in ws.iter_rows(values_only=True) if r[0]=='Всего'][0])", xlsx]).toString().trim();
  const stats = await ask(ap, 'stats.summary', {});
  assert.equal(Number(total), stats.accounts.total, 'the accounts the statistics count');
  await Promise.all([dp.context().close(), tp.context().close(), ap.context().close()]);
});

test('the browser prints the journal on landscape pages with every column and no toolbar, and the diary without its controls', async () => {
  const tp = await signIn(teacher(), { viewport: { width: 1280, height: 900 } });
  await openJournal(tp);
  await tp.setViewportSize({ width: 1047, height: 740 });  // an A4 landscape sheet inside 10 mm margins, at 96 px/inch
  await tp.emulateMedia({ media: 'print' });
  for (const hidden of ['header.top', '.toolbar', '.hint']) assert.equal(await tp.locator(hidden).first().isVisible(), false, `${hidden} does not print`);
  assert.match(await tp.textContent('#print-caption'), /^Класс 5А — .+ — .+четверть/);
  assert.ok(await tp.locator('#print-caption').isVisible());
  // Every column is on the sheet: the grid is not clipped by its scroll box.
  const right = await tp.$eval('table.grid', (t) => t.getBoundingClientRect().right);
  assert.ok(right <= 1047, `the grid fits the sheet's width (${right} px)`);
  assert.equal(await tp.$eval('.grid-wrap', (w) => getComputedStyle(w).overflow), 'visible');
  const pdf = await tp.pdf({ preferCSSPageSize: true });
  const { execFileSync } = await import('node:child_process');
  const file = join(OUT, 'journal-print.pdf');
  (await import('node:fs')).writeFileSync(file, pdf);
  const info = execFileSync('pdfinfo', [file]).toString();
  assert.match(info, /Page size:\s+841\.\d+ x 59[45]\.\d+ pts \(A4\)/, 'landscape A4');
  await tp.emulateMedia({ media: 'screen' });

  // A 10А pupil's diary (the slips test has reset the one-time passwords of 5А's pupils and parents).
  const pp = await signIn(suite.logins.find((l) => l[0] === 'ученик' && l[3].endsWith('10А')));
  await pp.waitForSelector('#days');
  await pp.emulateMedia({ media: 'print' });
  assert.equal(await pp.locator('.toolbar').isVisible(), false);
  assert.match(await pp.textContent('#print-caption'), /^Дневник: .+, неделя \d\d\.\d\d\.\d{4}–/);
  await pp.screenshot({ path: join(OUT, 'diary-print.png'), fullPage: true });
  await Promise.all([tp.context().close(), pp.context().close()]);
});

test('the deputy\'s analytics: a class term by term, a subject across the classes, missed lessons by week — and as of a past date', async () => {
  const dp = await signIn(deputy(), { viewport: { width: 1280, height: 900 } });
  await dp.click('nav a[href="#/analytics"]');
  await dp.waitForSelector('.view[data-ready^="now:"]');
  const classes = await ask(dp, 'roster.classes');
  const year = Math.max(...classes.map((c) => c.year));
  const c5 = classes.find((c) => c.name === '5А' && c.year === year);
  // The first term's row agrees with stats.progress over that term.
  const terms = (await ask(dp, 'roster.terms')).filter((t) => t.year === year && t.grade_from <= 5 && 5 <= t.grade_to)
    .sort((a, b) => (a.first_day < b.first_day ? -1 : 1));
  const rows = await ask(dp, 'stats.progress', { from: terms[0].first_day, to: terms[0].last_day, class_id: c5.id });
  const count = rows.reduce((n, r) => n + r.count, 0);
  const good = rows.reduce((n, r) => n + r.marks['4'] + r.marks['5'], 0);
  const cells = dp.locator(`#an-by-term tr[data-term="${terms[0].id}"] td`);
  assert.equal(await cells.nth(1).textContent(), String(count));
  assert.equal(await cells.nth(4).textContent(), (Math.round((1000 * good) / count) / 10).toLocaleString('ru-RU', { minimumFractionDigits: 1, maximumFractionDigits: 1 }));
  assert.ok(await dp.$('#an-by-term .uplot') && await dp.$('#an-by-class .uplot') && await dp.$('#an-by-week .uplot'), 'three charts');
  // Накопляемость: the flagged cells are those the report flags, and the note counts them.
  const acc = await ask(dp, 'report.make', { kind: 'accumulation', format: 'json', class: '5А', min_marks: 3 });
  assert.equal(await dp.locator('#an-accumulation td.few').count(), acc.tables[0].flagged.length);
  assert.match(await dp.textContent('#an-accumulation-note'), new RegExp(`: ${acc.tables[0].flagged.length}\\.`));
  assert.ok(await dp.$('#an-accumulation .uplot'));
  // A subject across the classes: mathematics is taught from grade 2 to 6 in the demo.
  await dp.selectOption('#an-subject', { label: 'Математика' });
  const maths = (await ask(dp, 'roster.subjects')).find((s) => s.name === 'Математика').id;
  await dp.waitForSelector(`.view[data-ready$=":${maths}"] #an-by-class tr[data-class]`);
  assert.ok(await dp.locator('#an-by-class tr[data-class]').count() >= 5);
  const weeksNow = await dp.textContent('#an-weeks-total');
  await dp.screenshot({ path: join(OUT, 'analytics.png'), fullPage: true });
  // As of the end of the first term's first month: fewer weeks, fewer lessons missed.
  const past = addDays(terms[0].first_day, 30);
  await dp.fill('#as-of', `${past}T18:00`);
  await dp.dispatchEvent('#as-of', 'change');
  await dp.waitForSelector(`.view[data-ready^="${past}T18:00:00:"]`);
  assert.ok(await dp.$('.past-banner'));
  const missed = (t) => Number(t.match(/— ([\d\s ]+)$/)[1].replace(/\s/g, ''));
  assert.ok(missed(await dp.textContent('#an-weeks-total')) < missed(weeksNow), 'fewer lessons missed by then');
  await dp.setViewportSize({ width: 390, height: 844 });
  await dp.screenshot({ path: join(OUT, 'analytics-phone.png'), fullPage: true });
  await dp.context().close();
});

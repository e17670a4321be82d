// End-to-end tests of the web client in a real browser: Debian's Chromium driven by playwright-core, against a
// real ejournald serving web/ with a small demo school. Run by `make test` (ctest) through `node --test`.
// Screenshots of the main pages go to $EJ_WEB_OUTPUT (default tests/web/output).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ask, OUT, chromiumSuite, signInChromium, schoolYear, lessonDay, addDays, ruDay } from './harness.mjs';

// The demo server, the browser and the page-error check, shared by the file's tests (harness.mjs).
const suite = await chromiumSuite();
const pageErrors = suite.pageErrors;

const login = (pred) => suite.logins.find(pred);

// `prepare(page)`, when given, runs before the page first loads (to route its WebSocket, say).
const signIn = (who, viewport, prepare) =>
  signInChromium(suite.browser, suite.base, who, { contextOptions: viewport ? { viewport } : {}, prepare, errors: pageErrors });

const marksIn = (page, selector) => page.$$eval(selector, (els) => els.length);

test('a teacher sets a mark from the keyboard; the parent sees it live; a deputy sees who set it and when; the past view shows the old value', async () => {
  const teacher = login((l) => l[0] === 'учитель' && l[3].startsWith('учитель '));
  const klass = teacher[3].split(' ').pop();
  const parent = login((l) => l[0] === 'родитель' && l[3].endsWith(klass));
  const deputy = login((l) => l[0] === 'заместитель директора');
  assert.ok(teacher && parent && deputy, 'the demo has a teacher, a parent of that class and a deputy');

  // The journal opens on today's term (open); in the holidays on the last one, which the deputy reopens.
  const dp = await signIn(deputy);
  const tp = await signIn(teacher);
  await tp.click('nav a[href="#/journal"]');  // a teacher starts on the day's lessons
  await tp.waitForSelector('table.grid td.cell');
  const term = Number(await tp.$eval('#term', (s) => s.value));
  if ((await ask(dp, 'roster.terms')).find((t) => t.id === term).closed)
    await ask(dp, 'reopen_term', { term, reason: 'проверка журнала' }, true);
  await tp.reload();
  await tp.waitForSelector('table.grid td.cell');
  await tp.screenshot({ path: join(OUT, 'journal.png'), fullPage: true });
  const pp = await signIn(parent, { width: 390, height: 844 });  // a phone
  const me = await ask(pp, 'me');
  const child = me.children[0];

  // The child's row, the last lesson of the term shown that is not after today (the week's later lessons are
  // scheduled already).
  const row = tp.locator('tr', { has: tp.locator('th.student', { hasText: child.name }) });
  const today = ruDay(Date.now()).split('.').reverse().join('-');
  const cols = await row.locator('td.cell').evaluateAll((tds) => tds.map((td) => td.getAttribute('aria-label').split(', ').pop()));
  const upto = cols.map((t) => t.split('.').reverse().join('-')).filter((d) => d <= today).length;
  const cell = row.locator('td.cell').nth(upto - 1);
  const label = await cell.getAttribute('aria-label');
  const [d, m, y] = label.split(', ').pop().split('.');
  const day = `${y}-${m}-${d}`;
  const lesson = Number(await cell.getAttribute('data-lesson'));

  // The parent opens that week before the mark is set.
  await pp.fill('#week', day);
  await pp.dispatchEvent('#week', 'change');
  const inDiary = `.diary-lesson[data-lesson="${lesson}"] .mark:not(.att)`;
  await pp.waitForSelector(`.diary-lesson[data-lesson="${lesson}"]`);
  const before = await marksIn(pp, inDiary);
  const cellMarksBefore = await cell.locator('.m').count();

  const setAt = Date.now();
  await cell.click();
  await cell.press('5');
  await cell.press('Enter');
  await tp.waitForFunction(([l, s, n]) =>
    document.querySelectorAll(`td.cell[data-lesson="${l}"][data-student="${s}"] .m`).length === n,
  [lesson, child.id, cellMarksBefore + 1]);
  // Keyboard navigation: the arrows move the focus.
  await tp.keyboard.press('ArrowLeft');
  assert.equal(await tp.evaluate(() => document.activeElement.dataset.lesson), await row.locator('td.cell').nth(upto - 2).getAttribute('data-lesson'));

  // The lesson's topic and homework, from the column's heading.
  await tp.click(`button.lesson-edit[data-lesson="${lesson}"]`);
  await tp.fill('#topic', 'Проверка: дроби');
  await tp.fill('#homework', '№ 101–105');
  await tp.click('#editor button[type=submit]');
  await tp.waitForSelector('#editor', { state: 'detached' });
  await tp.waitForFunction(() => document.querySelector('table.grid thead').textContent.includes('Проверка: дроби'));

  // Without a reload, the parent's diary shows the new mark, with a sign of it.
  await pp.waitForFunction(([sel, n]) => document.querySelectorAll(sel).length === n, [inDiary, before + 1], { timeout: 10000 });
  assert.match(await pp.textContent('.live'), /новая запись/);
  await pp.waitForFunction((l) => document.querySelector(`.diary-lesson[data-lesson="${l}"]`).textContent.includes('№ 101–105'), lesson);
  await pp.screenshot({ path: join(OUT, 'diary-phone.png'), fullPage: true });
  await pp.selectOption('#chart-subject', { index: 1 });
  await pp.waitForSelector('#chart canvas, #chart p');
  await pp.screenshot({ path: join(OUT, 'diary-chart.png'), fullPage: true });

  // A deputy opens the same journal and that cell's history: who set it, and when.
  const hash = await tp.evaluate(() => {
    const [c, g, s] = document.querySelector('#assignment').value.split(':');
    return `#/journal?class=${c}&group=${g}&subject=${s}&term=${document.querySelector('#term').value}`;
  });
  await dp.goto(suite.base + '/' + hash);
  const dcell = dp.locator(`td.cell[data-lesson="${lesson}"][data-student="${child.id}"]`);
  await dcell.click();
  await dp.waitForSelector('#cell-history tbody tr');
  const history = await dp.textContent('#cell-history');
  const teacherName = (await tp.textContent('#who')).replace('Выйти', '').trim();
  assert.ok(history.includes(teacherName), `the history names ${teacherName}: ${history}`);
  assert.ok(history.includes('отметка'));
  const when = new Intl.DateTimeFormat('ru-RU', { timeZone: 'Europe/Moscow', day: '2-digit', month: '2-digit', year: 'numeric' }).format(new Date(setAt));
  assert.ok(history.includes(when), `the history shows the date ${when}`);
  await dp.screenshot({ path: join(OUT, 'history.png'), fullPage: true });
  await dp.click('#cell-history button');
  // The deputy reviews that lesson's homework from the column's heading.
  await dp.click(`button.lesson-edit[data-lesson="${lesson}"]`);
  await dp.selectOption('#review-conforms', 'no');
  await dp.fill('#review-comment', 'Объём превышает норму');
  await dp.click('#editor button[type=submit]');
  await dp.waitForSelector('#editor', { state: 'detached' });
  assert.match(await dp.textContent('#status'), /Проверка записана/);

  // As of a minute before the mark: the cell shows the old value, marked as a past, read-only state.
  const past = new Date(Math.floor(setAt / 60000) * 60000 - 60000);
  const local = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Moscow', year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit' }).format(past).replace(' ', 'T');
  await dp.fill('#as-of', local);
  await dp.dispatchEvent('#as-of', 'change');
  await dp.waitForSelector('.past-banner');
  await dp.waitForFunction(([l, s, n]) =>
    document.querySelectorAll(`table.grid.past td.cell[data-lesson="${l}"][data-student="${s}"] .m`).length === n,
  [lesson, child.id, cellMarksBefore]);
  await dp.screenshot({ path: join(OUT, 'journal-as-of.png'), fullPage: true });
  // Typing in the past view changes nothing.
  const pastCell = dp.locator(`td.cell[data-lesson="${lesson}"][data-student="${child.id}"]`);
  await pastCell.focus();
  await pastCell.press('4');
  await pastCell.press('Enter');
  assert.equal(await pastCell.locator('.m').count(), cellMarksBefore);
  await Promise.all([tp.context().close(), pp.context().close(), dp.context().close()]);
});

test('a teacher cannot open another teacher\'s journal', async () => {
  const teacher = login((l) => l[0] === 'учитель' && l[3].startsWith('учитель '));
  const tp = await signIn(teacher);
  await tp.click('nav a[href="#/journal"]');
  await tp.waitForSelector('table.grid');
  const mine = await tp.$eval('#assignment', (s) => s.value.split(':').map(Number));
  const other = (await ask(tp, 'roster.classes')).find((c) => c.id !== mine[0]);
  await tp.goto(`${suite.base}/#/journal?class=${other.id}&group=0&subject=${mine[2]}`);
  await tp.waitForSelector('.grid-wrap .error');
  assert.match(await tp.textContent('.grid-wrap .error'), /Нет доступа/);
  await tp.context().close();
});

test('a teacher\'s day lists their lessons and opens each journal; a cell another user changed meanwhile is shown as a conflict, not overwritten', async () => {
  const teacher = login((l) => l[0] === 'учитель' && l[3].startsWith('учитель '));
  const deputy = login((l) => l[0] === 'заместитель директора');
  // Pushes to the teacher's page are held back while `hold` is set: the page then does not yet know of a
  // change made elsewhere, as when a push is still on its way.
  let hold = false;
  const tp = await signIn(teacher, undefined, (page) => page.routeWebSocket(/\/ws$/, (ws) => {
    const server = ws.connectToServer();
    server.onMessage((m) => { if (!(hold && typeof m === 'string' && m.startsWith('{"push"'))) ws.send(m); });
  }));
  await tp.waitForSelector('#today');
  // A school day of the demo's year, from its second week, on which this teacher has lessons.
  const user = (await ask(tp, 'me')).user;
  const { day, lessons } = await lessonDay(addDays((await schoolYear(tp)).first, 7), (d) => ask(tp, 'control.day', { teacher: user, day: d }));
  assert.ok(lessons.length > 0, 'the teacher has lessons in the demo year');
  await tp.fill('#day', day);
  await tp.dispatchEvent('#day', 'change');
  await tp.waitForFunction((n) => document.querySelectorAll('#today tbody tr').length === n, lessons.length);
  const [d, m, y] = [day.slice(8), day.slice(5, 7), day.slice(0, 4)];
  assert.ok((await tp.textContent('#day-title')).includes(`${d}.${m}.${y}`));
  assert.equal(await tp.locator('#today tbody tr').first().locator('td').first().textContent(), String(lessons[0].period));
  await tp.screenshot({ path: join(OUT, 'today.png'), fullPage: true });

  // Its first lesson's journal opens on that lesson's term, with the lesson's column.
  const lesson = lessons[0].lesson;
  await tp.locator('#today tbody tr').first().locator('a', { hasText: 'Открыть журнал' }).click();
  await tp.waitForSelector(`table.grid td.cell[data-lesson="${lesson}"]`);

  // The deputy reopens the term (the demo's terms are closed); the cell then changes while the teacher's page
  // has not heard of it, and the teacher types into it.
  const dp = await signIn(deputy);
  await ask(dp, 'reopen_term', { term: Number(await tp.$eval('#term', (s) => s.value)), reason: 'проверка журнала' }, true)
    .catch((err) => assert.match(err.message, /Период не закрыт/));  // an earlier test may have reopened it
  await tp.reload();
  const cell = tp.locator(`td.cell[data-lesson="${lesson}"]`).first();
  await cell.waitFor();
  const student = Number(await cell.getAttribute('data-student'));
  const journal = await ask(dp, 'journal.page', await tp.evaluate(() => {
    const [c, g, s] = document.querySelector('#assignment').value.split(':').map(Number);
    return { class_id: c, group: g, subject: s, term: Number(document.querySelector('#term').value) };
  }));
  const column = journal.lessons.findIndex((l) => l.id === lesson);
  const before = journal.rows.find((r) => r.student === student).cells[column];
  hold = true;
  // The change comes over another connection (only the lesson's teacher or substitute may write the cell:
  // the teacher's second device here), so the page sees it only by a push, which is held back.
  await ask(tp, 'set_attendance', { lesson, student, code: 'sick', expected_version: before.version }, true);
  await cell.click();
  await cell.press('3');
  await cell.press('Enter');
  await tp.waitForSelector(`td.cell.conflict[data-lesson="${lesson}"][data-student="${student}"]`);
  assert.match(await tp.textContent('#status'), /изменил другой пользователь/);
  const shown = tp.locator(`td.cell[data-lesson="${lesson}"][data-student="${student}"]`);
  assert.match(await shown.textContent(), /Б/);     // the deputy's value is shown
  assert.equal(await shown.locator('.m').count(), before.marks.length);  // and the teacher's 3 was not written
  hold = false;
  await tp.screenshot({ path: join(OUT, 'journal-conflict.png'), fullPage: true });
  await Promise.all([tp.context().close(), dp.context().close()]);
});

test('a curator imports a class list from CSV: the bad row is named, the others are enrolled', async () => {
  const curator = login((l) => l[0].includes('классный руководитель'));
  const cp = await signIn(curator);
  await cp.click('nav a[href="#/class"]');
  await cp.waitForSelector('#class-list tbody tr');
  const before = await cp.locator('#class-list tbody tr').count();
  const csv = 'Фамилия;Имя;Отчество;Дата рождения\n' +
    'Соколов;Илья;Андреевич;12.03.2015\n' +
    'Белова;Анна;Петровна;31.02.2015\n' +
    'Егоров;Марк;;01.09.2014\n';
  await cp.setInputFiles('#csv-file', { name: 'class.csv', mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') });
  await cp.waitForSelector('#csv-summary');
  assert.match(await cp.textContent('#csv-summary'), /Строк: 3, с ошибками: 1/);
  const bad = cp.locator('#csv-preview tr.bad');
  assert.equal(await bad.count(), 1);
  assert.equal(await bad.locator('td').first().textContent(), '3');  // the file's third line
  assert.match(await bad.locator('.errors').textContent(), /31\.02\.2015/);
  await cp.screenshot({ path: join(OUT, 'class-import.png'), fullPage: true });
  await cp.click('#csv-import');
  await cp.waitForFunction((n) => document.querySelectorAll('#class-list tbody tr').length === n, before + 2);
  const names = await cp.textContent('#class-list');
  assert.ok(names.includes('Соколов Илья Андреевич') && names.includes('Егоров Марк'));
  assert.ok(!names.includes('Белова'));
  await cp.context().close();
});

test('a curator edits a student\'s personal data, marks it checked, adds a parent and puts the student in a new group', async () => {
  const curator = login((l) => l[0].includes('классный руководитель'));
  const cp = await signIn(curator);
  await cp.click('nav a[href="#/class"]');
  await cp.waitForSelector('#class-list tbody tr');
  const row = cp.locator('#class-list tbody tr').nth(1);
  const student = Number(await row.getAttribute('data-student'));
  const parentsBefore = Number(await row.locator('td').nth(3).textContent());
  await row.locator('button.link').click();
  await cp.waitForSelector('#person-form');
  const surname = await cp.inputValue('#pd-last_name');
  assert.ok(surname.length > 0, 'the card is filled from the sealed record');
  await cp.fill('#pd-phone', '+7 900 123-45-67');
  await cp.click('#person-form button[type=submit]');
  await cp.waitForFunction(() => /Личные данные записаны/.test(document.querySelector('#status').textContent));
  await cp.click('#check-data');
  await cp.waitForFunction(() => /Данные проверены \d\d\.\d\d\.\d{4}/.test(document.querySelector('#checked-on').textContent));
  assert.equal(await cp.inputValue('#pd-phone'), '+7 900 123-45-67');  // the card was read again from the server
  const today = new Intl.DateTimeFormat('ru-RU', { timeZone: 'Europe/Moscow', day: '2-digit', month: '2-digit', year: 'numeric' }).format(new Date());
  await cp.waitForFunction(([s, d]) => document.querySelector(`#class-list tr[data-student="${s}"]`).textContent.includes(d), [student, today]);

  // A parent, linked to the student.
  await cp.fill('#parent-last_name', surname);
  await cp.fill('#parent-first_name', 'Мария');
  await cp.fill('#parent-phone', '+7 900 765-43-21');
  await cp.click('#add-parent button[type=submit]');
  await cp.waitForFunction((n) => document.querySelectorAll('#person-parents li').length === n, parentsBefore + 1);
  assert.ok((await cp.textContent('#person-parents')).includes(`${surname} Мария`));
  await cp.waitForFunction(([s, n]) => document.querySelector(`#class-list tr[data-student="${s}"] td:nth-child(4)`).textContent === String(n),
    [student, parentsBefore + 1]);

  // A new study group; the student joins it from the card, and the list names the group.
  await cp.fill('#group-name', 'Информатика, группа 3');
  await cp.click('#new-group button[type=submit]');
  await cp.waitForFunction(() => document.querySelector('#groups').textContent.includes('Информатика, группа 3'));
  await row.locator('button.link').click();
  await cp.waitForSelector('#person-groups');
  await cp.locator('#person-groups label', { hasText: 'Информатика, группа 3' }).locator('input').check();
  await cp.waitForFunction(([s]) => document.querySelector(`#class-list tr[data-student="${s}"]`).textContent.includes('Информатика, группа 3'), [student]);
  // The card, read again, shows the new membership too.
  await cp.waitForFunction(() => [...document.querySelectorAll('#person-groups label')]
    .some((l) => l.textContent.includes('Информатика, группа 3') && l.querySelector('input').checked));
  await cp.screenshot({ path: join(OUT, 'class-person.png'), fullPage: true });
  await cp.context().close();
});

test('the administrator creates a teacher and issues a one-time password, shown once; the teacher signs in with it', async () => {
  const admin = login((l) => l[0] === 'администратор');
  const ap = await signIn(admin);
  await ap.waitForSelector('#users tbody tr');
  await ap.fill('#new-login', 'teacher.new');
  await ap.fill('#new-name', 'Новикова Ольга Павловна');
  await ap.selectOption('#new-role', 'teacher');
  await ap.click('#new-user button[type=submit]');
  const row = ap.locator('#users tr[data-login="teacher.new"]');
  await row.waitFor();
  await row.locator('button', { hasText: 'Выдать пароль' }).click();
  await ap.waitForFunction(() => /teacher\.new: \S+/.test(document.querySelector('#one-time').textContent));
  const password = (await ap.textContent('#one-time')).match(/teacher\.new: (\S+)/)[1];
  await ap.screenshot({ path: join(OUT, 'admin-users.png'), fullPage: true });
  // Roles: the new teacher also becomes a class's curator.
  await row.locator('button', { hasText: 'Роли' }).click();
  await ap.selectOption('#role-role', 'curator');
  await ap.selectOption('#role-class', { index: 3 });
  await ap.click('#role-grant');
  await ap.waitForFunction(() => document.querySelector('#users tr[data-login="teacher.new"]').textContent.includes('кл. руководитель'));
  const np = await signIn(['учитель', 'teacher.new', password, '']);
  await np.waitForSelector('#today p');
  assert.match(await np.textContent('#today'), /нет уроков/);
  await np.click('nav a[href="#/journal"]');
  // The day's page stays until the journal's replaces it (the router first ends its subscriptions): wait
  // for the journal's own words, not for any paragraph.
  await np.waitForSelector('main p:has-text("нет журналов")');
  assert.ok(await np.$('nav a[href="#/class"]'), 'a curator has the class page');
  // A second reset ends the teacher's session: their open page is signed out at its next step.
  await row.locator('button', { hasText: 'Выдать пароль' }).click();
  await ap.waitForFunction((old) => {
    const m = document.querySelector('#one-time').textContent.match(/teacher\.new: (\S+)/);
    return m && m[1] !== old;
  }, password);
  await np.click('nav a[href="#/today"]');
  await np.waitForSelector('#login-form');
  assert.match(await np.textContent('#login-form'), /Сеанс завершён: войдите снова/);
  await np.screenshot({ path: join(OUT, 'signed-out.png') });
  await Promise.all([ap.context().close(), np.context().close()]);
});

test('a deputy reads the time sheet and the register of missed and substituted lessons', async () => {
  const deputy = login((l) => l[0] === 'заместитель директора');
  const dp = await signIn(deputy);
  await dp.click('nav a[href="#/control"]');
  await dp.waitForSelector('#report');
  // The year's first month.
  const first = (await schoolYear(dp)).first;
  await dp.fill('#from', first);
  await dp.dispatchEvent('#from', 'change');
  await dp.fill('#to', addDays(first, 30));
  await dp.dispatchEvent('#to', 'change');
  await dp.selectOption('#view', 'timesheet');
  await dp.waitForSelector('#report tbody tr');
  assert.ok(await dp.locator('#report tbody tr').count() > 5);
  await dp.screenshot({ path: join(OUT, 'time-sheet.png'), fullPage: true });
  await dp.selectOption('#view', 'register');
  await dp.waitForSelector('#register-form');
  assert.ok(await dp.locator('#report tbody tr').count() > 0);
  await dp.screenshot({ path: join(OUT, 'register.png'), fullPage: true });
  await dp.context().close();
});

test('sign-in survives a reload, and sign-out ends it; the administrator sees statistics and backups', async () => {
  const admin = login((l) => l[0] === 'администратор');
  const ap = await signIn(admin);
  await ap.waitForSelector('#stats li');
  await ap.screenshot({ path: join(OUT, 'admin.png'), fullPage: true });
  await ap.reload();
  await ap.waitForSelector('#stats li');  // resumed: no sign-in form, no password change again
  assert.equal(await ap.$('#password-form'), null);
  await ap.click('#logout');
  await ap.waitForSelector('#login-form');
  await ap.screenshot({ path: join(OUT, 'login.png') });
  await ap.reload();
  await ap.waitForSelector('#login-form');
  await ap.context().close();
});

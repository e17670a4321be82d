// The curator's class: the list of students with their groups and parents, "data checked on" per student,
// and the import of a class list from CSV with a preview that names each bad row.
import { h, ruDate, status, schoolToday } from './util.js';
import { classListFromCsv } from './csv.js';

export async function classPage({ api, account, main, params, isManager }) {
  const classes = await api.call('roster.classes');
  const mine = isManager ? classes : classes.filter((c) => (account.curator_of || []).includes(c.id));
  if (mine.length === 0) {
    main.replaceChildren(h('p', {}, 'Вы не ведёте ни одного класса.'));
    return async () => {};
  }
  let classId = Number(params.get('class')) || mine[0].id;
  const select = h('select', { id: 'class' }, mine.map((c) => h('option', { value: c.id, selected: c.id === classId }, c.name)));
  const list = h('div', { id: 'class-list' });
  const file = h('input', { type: 'file', id: 'csv-file', accept: '.csv,text/csv' });
  const preview = h('div', { id: 'csv-preview' });
  main.replaceChildren(
    h('div', { class: 'toolbar' }, h('div', {}, h('label', { for: 'class' }, 'Класс'), select)),
    list,
    h('section', { class: 'card wide', id: 'import' },
      h('h2', {}, 'Загрузка списка класса из CSV'),
      h('p', {}, 'Столбцы: фамилия; имя; отчество; дата рождения (ДД.ММ.ГГГГ); адрес; телефон; почта. Первая строка может быть заголовком.'),
      h('label', { for: 'csv-file' }, 'Файл'), file, preview));
  select.addEventListener('change', () => { classId = Number(select.value); showList(); preview.replaceChildren(); });

  async function showList() {
    const students = await api.call('roster.class', { class_id: classId });
    list.replaceChildren(h('table', { class: 'list' },
      h('thead', {}, h('tr', {}, ['№', 'Ученик', 'Группы', 'Родители', ''].map((t) => h('th', {}, t)))),
      h('tbody', {}, students.map((s, i) => h('tr', {},
        h('td', {}, i + 1), h('td', {}, s.name), h('td', {}, (s.groups || []).join(', ')),
        h('td', {}, (s.parents || []).length),
        h('td', {}, h('button', { type: 'button', onclick: async () => {
          try {
            await api.write('check_personal_data', { kind: 'student', subject: s.id, day: schoolToday() });
            status(`Данные ученика «${s.name}» отмечены как проверенные ${ruDate(schoolToday())}`);
          } catch (err) { status(err.message, true); }
        } }, 'Данные проверены')))))));
  }

  file.addEventListener('change', async () => {
    const f = file.files[0];
    if (!f) return;
    const text = await f.text();
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
    const fileId = [...digest.slice(0, 12)].map((b) => b.toString(16).padStart(2, '0')).join('');
    const rows = classListFromCsv(text);
    const bad = rows.filter((r) => r.errors.length);
    const good = rows.filter((r) => !r.errors.length);
    const importButton = h('button', { type: 'button', id: 'csv-import', disabled: good.length === 0 },
      `Зачислить ${good.length} из ${rows.length}`);
    preview.replaceChildren(
      h('p', { role: 'status', id: 'csv-summary' }, `Строк: ${rows.length}, с ошибками: ${bad.length}`),
      h('table', { class: 'list' },
        h('thead', {}, h('tr', {}, ['Строка', 'Фамилия', 'Имя', 'Отчество', 'Дата рождения', 'Замечания'].map((t) => h('th', {}, t)))),
        h('tbody', {}, rows.map((r) => h('tr', { class: r.errors.length ? 'bad' : '', dataset: { line: r.line } },
          h('td', {}, r.line), h('td', {}, r.data.last_name), h('td', {}, r.data.first_name), h('td', {}, r.data.patronymic),
          h('td', {}, r.data.birth_day ? ruDate(r.data.birth_day) : ''),
          h('td', { class: 'errors' }, r.errors.join('; ')))))),
      importButton);
    importButton.addEventListener('click', async () => {
      importButton.disabled = true;
      let done = 0;
      for (const r of good) {
        const data = Object.fromEntries(Object.entries(r.data).filter(([, v]) => v));
        try {
          // One command id per file content, class and row, so importing the same file twice enrols nobody twice.
          await api.write('enroll_student', { class_id: classId, day: schoolToday(), data }, `csv-${fileId}-${classId}-${r.line}`);
          ++done;
        } catch (err) {
          const tr = preview.querySelector(`tr[data-line="${r.line}"]`);
          tr.classList.add('bad');
          tr.querySelector('.errors').textContent = err.message;
        }
      }
      status(`Зачислено: ${done}`);
      await showList();
    });
  });

  await showList();
  return async () => {};
}

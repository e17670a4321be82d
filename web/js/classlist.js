// The curator's class: the list of students with their groups and parents and when their data was last
// checked, each student's personal-data card (person.js), the class's study groups, and the import of a
// class list from CSV with a preview that names each bad row.
import { h, ruDate, status, schoolToday } from './util.js';
import { classListFromCsv, decodeCsv } from './csv.js';
import { showPerson } from './person.js';

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
  const card = h('div', { id: 'person-box' });
  const groupsBox = h('section', { class: 'card wide', id: 'groups' });
  const file = h('input', { type: 'file', id: 'csv-file', accept: '.csv,text/csv' });
  const preview = h('div', { id: 'csv-preview' });
  main.replaceChildren(
    h('div', { class: 'toolbar' }, h('div', {}, h('label', { for: 'class' }, 'Класс'), select)),
    list, card, groupsBox,
    h('section', { class: 'card wide', id: 'import' },
      h('h2', {}, 'Загрузка списка класса из CSV'),
      h('p', {}, 'Столбцы: фамилия; имя; отчество; дата рождения (ДД.ММ.ГГГГ); адрес; телефон; почта. Первая строка может быть заголовком.'),
      h('label', { for: 'csv-file' }, 'Файл'), file, preview));
  select.addEventListener('change', () => { classId = Number(select.value); card.replaceChildren(); showList(); preview.replaceChildren(); });

  let groups = [];
  let names = new Set();  // the class's students, for warning of a row that is already enrolled
  async function showList() {
    const [students, classGroups] = await Promise.all([
      api.call('roster.class', { class_id: classId }), api.call('roster.groups', { class_id: classId })]);
    groups = classGroups;
    const collator = new Intl.Collator('ru');
    students.sort((a, b) => collator.compare(a.name || '', b.name || ''));
    names = new Set(students.map((st) => (st.name || '').toLocaleLowerCase('ru')));
    const nameOf = new Map(students.map((st) => [st.id, st.name]));
    const groupName = new Map(groups.map((g) => [g.id, g.name]));
    const open = (s) => showPerson({ api, box: card, kind: 'student', id: s.id, groups: () => groups, onChange: showList });
    list.replaceChildren(h('table', { class: 'list' },
      h('thead', {}, h('tr', {}, ['№', 'Ученик', 'Группы', 'Родителей', 'Данные проверены'].map((t) => h('th', {}, t)))),
      h('tbody', {}, students.map((s, i) => h('tr', { dataset: { student: s.id } },
        h('td', {}, i + 1),
        h('td', {}, h('button', { type: 'button', class: 'link', title: 'Личные данные', onclick: () => open(s) }, s.name || `№ ${s.id}`)),
        h('td', {}, (s.groups || []).map((g) => groupName.get(g) || g).join(', ')),
        h('td', {}, (s.parents || []).length),
        h('td', {}, s.checked_on ? ruDate(s.checked_on) : '—'))))));
    const name = h('input', { id: 'group-name', required: true, placeholder: 'Английский, группа 1' });
    const form = h('form', { id: 'new-group' }, h('label', { for: 'group-name' }, 'Новая группа'), name, ' ',
      h('button', { type: 'submit' }, 'Создать'));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      try {
        await api.write('create_study_group', { class_id: classId, name: name.value.trim() });
        status(`Группа «${name.value.trim()}» создана`);
        await showList();
      } catch (err) { status(err.message, true); }
    });
    groupsBox.replaceChildren(h('h2', {}, 'Группы класса'),
      groups.length === 0 ? h('p', {}, 'Групп нет.') :
        h('ul', { class: 'plain', id: 'groups-list' }, groups.map((g) => h('li', { dataset: { group: g.id } },
          h('details', {}, h('summary', {}, `${g.name} — учеников: ${g.students.length}`),
            h('ol', { class: 'members' }, g.students.map((id) => nameOf.get(id) || `№ ${id}`)
              .sort((x, y) => collator.compare(x, y)).map((n) => h('li', {}, n))))))),
      form);
  }

  file.addEventListener('change', async () => {
    const f = file.files[0];
    if (!f) return;
    const bytes = new Uint8Array(await f.arrayBuffer());
    const { text, encoding } = decodeCsv(bytes);
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
    const fileId = [...digest.slice(0, 12)].map((b) => b.toString(16).padStart(2, '0')).join('');
    const rows = classListFromCsv(text);
    for (const r of rows) {
      const full = [r.data.last_name, r.data.first_name, r.data.patronymic].filter(Boolean).join(' ').toLocaleLowerCase('ru');
      if (names.has(full)) r.warnings.push('такой ученик уже есть в классе');
    }
    const bad = rows.filter((r) => r.errors.length);
    const good = rows.filter((r) => !r.errors.length);
    const importButton = h('button', { type: 'button', id: 'csv-import', disabled: good.length === 0 },
      `Зачислить ${good.length} из ${rows.length}`);
    const result = h('span', { id: 'csv-result', role: 'status', class: 'hint' });  // beside the button
    const warned = rows.filter((r) => r.warnings.length).length;
    preview.replaceChildren(
      h('p', { role: 'status', id: 'csv-summary' }, `Строк: ${rows.length}, с ошибками: ${bad.length}` +
        (warned ? `, с предупреждениями: ${warned}` : '') + ` (кодировка ${encoding})`),
      h('table', { class: 'list' },
        h('thead', {}, h('tr', {}, ['Строка', 'Фамилия', 'Имя', 'Отчество', 'Дата рождения', 'Замечания'].map((t) => h('th', {}, t)))),
        h('tbody', {}, rows.map((r) => h('tr', { class: r.errors.length ? 'bad' : '', dataset: { line: r.line } },
          h('td', {}, r.line), h('td', {}, r.data.last_name), h('td', {}, r.data.first_name), h('td', {}, r.data.patronymic),
          h('td', {}, r.data.birth_day ? ruDate(r.data.birth_day) : ''),
          h('td', { class: 'errors' }, [...r.errors, ...r.warnings].join('; ')))))),
      h('p', {}, importButton, ' ', result));
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
      result.textContent = `Зачислено: ${done} из ${good.length}` + (done < good.length ? ' — причины отказов в таблице' : '');
      status(`Зачислено: ${done}`);
      await showList();
    });
  });

  await showList();
  return async () => {};
}

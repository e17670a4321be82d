// The personal-data card of a student or parent, for the class's curator: the whole record (opened by the
// server from its seal), "checked on", and the links — a student's groups and parents, a parent's children.
// Saving records a new version of the record (the old one stays in the log); nothing is overwritten.
import { h, ruDate, status, schoolToday } from './util.js';

const FIELDS = [
  ['last_name', 'Фамилия', 'text', true], ['first_name', 'Имя', 'text', true], ['patronymic', 'Отчество', 'text'],
  ['birth_day', 'Дата рождения', 'date'], ['address', 'Адрес', 'text'], ['phone', 'Телефон', 'tel'],
  ['email', 'Электронная почта', 'email'], ['document', 'Документ (свидетельство, паспорт)', 'text'],
];

// Fields of a form as the protocol's "data" object, leaving out the empty ones.
function formData(form) {
  const data = {};
  for (const [name] of FIELDS) {
    const v = form.elements[name]?.value.trim();
    if (v) data[name] = v;
  }
  return data;
}

function fieldset(prefix, data = {}) {
  return FIELDS.map(([name, label, type, required]) => h('div', { class: 'field' },
    h('label', { for: `${prefix}-${name}` }, label),
    h('input', { id: `${prefix}-${name}`, name, type, required, value: data[name] ?? '' })));
}

// Shows the card of (kind, id) in `box`; `onChange` runs after anything is recorded (to refresh the list).
// `groups()`: the class's study groups now [{id, name, students}] (onChange may have reloaded them).
export async function showPerson({ api, box, kind, id, groups = () => [], onChange = async () => {} }) {
  let record;
  try {
    record = await api.call('people.personal_data', { kind, subject: id });
  } catch (err) {
    status(err.message, true);
    return;
  }
  const close = h('button', { type: 'button', class: 'close', onclick: () => box.replaceChildren() }, 'Закрыть');
  const title = h('h2', {}, kind === 'student' ? 'Ученик' : 'Родитель', record.data ? `: ${record.data.last_name} ${record.data.first_name}` : '');
  if (!record.data) {
    box.replaceChildren(h('section', { class: 'card wide', id: 'person' }, title,
      h('p', {}, record.erased ? 'Личные данные удалены по истечении срока хранения.' : 'Личные данные не записаны.'), close));
    return;
  }
  const reload = () => showPerson({ api, box, kind, id, groups, onChange });
  // `closing`: the pupil is no longer in this class (a transfer, leaving): the card closes.
  const write = async (op, args, done, closing = false) => {
    try {
      await api.write(op, args);
      status(done);
      await onChange();
      if (closing) box.replaceChildren(); else await reload();
    } catch (err) { status(err.message, true); }
  };

  const form = h('form', { id: 'person-form', class: 'person-form' }, fieldset('pd', record.data),
    h('button', { type: 'submit' }, 'Сохранить'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    write('record_personal_data', { kind, subject: id, data: formData(form) }, 'Личные данные записаны');
  });

  const checked = kind !== 'student' ? null : h('p', { id: 'checked-on' }, record.checked_on ? `Данные проверены ${ruDate(record.checked_on)}` : 'Данные ещё не проверялись',
    ' ', h('button', { type: 'button', id: 'check-data',
      onclick: () => write('check_personal_data', { kind, subject: id, day: schoolToday() }, `Данные отмечены как проверенные ${ruDate(schoolToday())}`) },
    'Отметить: проверены сегодня'));

  const links = [];
  if (kind === 'student') {
    const classGroups = groups();
    const mine = new Set(classGroups.filter((g) => g.students.includes(id)).map((g) => g.id));
    links.push(h('h3', {}, 'Группы'), classGroups.length === 0 ? h('p', {}, 'В классе нет групп.') :
      h('ul', { class: 'plain', id: 'person-groups' }, classGroups.map((g) => h('li', {},
        h('label', {}, h('input', { type: 'checkbox', checked: mine.has(g.id), onchange: (e) =>
          write(e.target.checked ? 'add_student_to_group' : 'remove_student_from_group', { student: id, group: g.id },
            e.target.checked ? `Добавлен в группу «${g.name}»` : `Исключён из группы «${g.name}»`) }), ' ', g.name)))));
    links.push(h('h3', {}, 'Родители'), h('ul', { class: 'plain', id: 'person-parents' }, record.parents.map((p) => h('li', {},
      h('button', { type: 'button', class: 'link', onclick: () => showPerson({ api, box, kind: 'parent', id: p.id, onChange }) }, p.name || `№ ${p.id}`),
      ' ', h('button', { type: 'button', onclick: () => {
        if (window.confirm(`Отвязать родителя «${p.name}» от ученика?`)) write('unlink_parent', { parent: p.id, student: id }, 'Родитель отвязан');
      } }, 'Отвязать')))));
    const fields = fieldset('parent');  // the name and a telephone; the rest on the parent's own card
    const add = h('form', { id: 'add-parent', class: 'person-form' }, h('h3', {}, 'Добавить родителя'),
      fields.slice(0, 3), fields[5], h('button', { type: 'submit' }, 'Добавить'));
    add.addEventListener('submit', (e) => {
      e.preventDefault();
      write('add_parent', { student: id, data: formData(add) }, 'Родитель добавлен');
    });
    links.push(add);
    // A family that already has an account (an older child at this school) is linked, not created again.
    const login = h('input', { id: 'link-parent-login', required: true, placeholder: 'p1234', autocomplete: 'off' });
    const found = h('p', { id: 'link-parent-found', role: 'status' });
    const link = h('form', { id: 'link-parent', class: 'person-form' }, h('h3', {}, 'Привязать существующего родителя'),
      h('label', { for: 'link-parent-login' }, 'Логин родителя (у семьи уже есть учётная запись)'), login, ' ',
      h('button', { type: 'submit' }, 'Найти'), found);
    link.addEventListener('submit', async (e) => {
      e.preventDefault();
      try {
        const p = await api.call('people.find_parent', { login: login.value.trim() });
        if (record.parents.some((x) => x.id === p.id)) { found.textContent = 'Этот родитель уже привязан к ученику.'; return; }
        const classes = new Map((await api.call('roster.classes')).map((c) => [c.id, c.name]));
        const kids = p.children_classes.map((k) => classes.get(k) || k).join(', ');
        found.replaceChildren(`${p.name || p.login}: детей в школе — ${p.children_classes.length}${kids ? ` (${kids})` : ''}. `,
          h('button', { type: 'button', id: 'link-parent-confirm', onclick: () =>
            write('link_parent', { parent: p.id, student: id }, 'Родитель привязан ко второму ребёнку') }, 'Привязать'));
      } catch (err) { found.textContent = err.message; }
    });
    links.push(link);
    links.push(await movesForm(api, id, record.class_id, write));
  } else {
    links.push(h('h3', {}, 'Дети'), h('ul', { class: 'plain' }, record.children.map((c) => h('li', {},
      h('button', { type: 'button', class: 'link', onclick: () => showPerson({ api, box, kind: 'student', id: c.id, groups, onChange }) }, c.name)))));
  }
  box.replaceChildren(h('section', { class: 'card wide', id: 'person', 'aria-label': 'Личные данные' }, title, checked, form, links, close));
  box.querySelector('input')?.focus();
}

// A pupil's transfer to another class, or leaving the school (on a day, with a reason, as the order's
// "движение учащихся" asks). Both keep the pupil's past in the journal of the class they were in.
async function movesForm(api, id, classId, write) {
  const classes = await api.call('roster.classes');
  const collator = new Intl.Collator('ru', { numeric: true });
  const mine = classes.find((c) => c.id === classId);
  // Another class of the pupil's year, or of a later one (the next year's classes, for the move up in summer).
  const offered = classes.filter((c) => !mine || (c.year >= mine.year && c.id !== mine.id))
    .sort((a, b) => a.year - b.year || (mine ? Math.abs(a.grade - mine.grade) - Math.abs(b.grade - mine.grade) : 0) ||
      collator.compare(a.name, b.name));
  const to = h('select', { id: 'transfer-class', required: true }, offered.map((c) => h('option', { value: c.id }, c.name)));
  const day = h('input', { id: 'transfer-day', type: 'date', required: true, value: schoolToday() });
  const reason = h('input', { id: 'transfer-reason', required: true, placeholder: 'по заявлению родителей' });
  const move = h('form', { id: 'transfer', class: 'person-form' }, h('h3', {}, 'Перевод в другой класс'),
    h('div', { class: 'field' }, h('label', { for: 'transfer-class' }, 'В класс'), to),
    h('div', { class: 'field' }, h('label', { for: 'transfer-day' }, 'С'), day),
    h('div', { class: 'field' }, h('label', { for: 'transfer-reason' }, 'Основание'), reason),
    h('button', { type: 'submit' }, 'Перевести'));
  move.addEventListener('submit', (e) => {
    e.preventDefault();
    const name = to.selectedOptions[0]?.textContent;
    write('transfer_student', { student: id, to_class: Number(to.value), day: day.value, reason: reason.value.trim() },
      `Переведён в ${name} с ${ruDate(day.value)}`, true);
  });
  const leftOn = h('input', { id: 'leave-day', type: 'date', required: true, value: schoolToday() });
  const why = h('input', { id: 'leave-reason', required: true, placeholder: 'переезд в другой город' });
  const leave = h('form', { id: 'leave', class: 'person-form' }, h('h3', {}, 'Выбытие из школы'),
    h('div', { class: 'field' }, h('label', { for: 'leave-day' }, 'Последний день'), leftOn),
    h('div', { class: 'field' }, h('label', { for: 'leave-reason' }, 'Основание'), why),
    h('button', { type: 'submit' }, 'Оформить выбытие'));
  leave.addEventListener('submit', (e) => {
    e.preventDefault();
    if (window.confirm('Оформить выбытие ученика из школы?'))
      write('student_leaves', { student: id, day: leftOn.value, reason: why.value.trim() }, `Выбыл ${ruDate(leftOn.value)}`, true);
  });
  return h('div', { id: 'moves' }, move, leave);
}

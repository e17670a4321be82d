// The administrator's page: users (create, one-time passwords shown once, block and unblock, roles),
// statistics, and backups (last runs on each disk, run now).
import { h, status } from './util.js';
import { formatTime } from './history.js';

const ROLE_PLURAL = { administrator: 'администраторы', director: 'директор', deputy: 'заместители директора', teacher: 'учителя',
  curator: 'классные руководители', student: 'ученики', parent: 'родители' };
const ROLE_WORDS = { administrator: 'администратор', director: 'директор', deputy: 'заместитель', teacher: 'учитель',
  curator: 'кл. руководитель', student: 'ученик', parent: 'родитель' };

export async function adminPage({ api, main }) {
  const users = h('section', { class: 'card wide', id: 'users' }, h('h2', {}, 'Пользователи'));
  const people = h('section', { class: 'card wide', id: 'people' }, h('h2', {}, 'Ученики и родители'));
  const stats = h('section', { class: 'card', id: 'stats' }, h('h2', {}, 'Статистика'));
  const backups = h('section', { class: 'card wide', id: 'backups' }, h('h2', {}, 'Резервные копии'));
  main.replaceChildren(users, h('p'), people, h('p'), stats, h('p'), backups);

  async function showUsers() {
    const staff = await api.call('roster.staff');
    const secret = h('p', { id: 'one-time', role: 'status' });
    const act = (label, fn) => h('button', { type: 'button', onclick: async () => {
      try { await fn(); } catch (err) { status(err.message, true); }
    } }, label);
    const collator = new Intl.Collator('ru');
    staff.sort((a, b) => collator.compare(a.name, b.name));
    const rows = staff.map((u) => h('tr', { dataset: { login: u.login, roles: u.roles.join(' '), search: `${u.login} ${u.name}`.toLocaleLowerCase('ru') } },
      h('td', {}, u.login), h('td', {}, u.name), h('td', {}, u.roles.map((r) => ROLE_WORDS[r] || r).join(', ')),
      h('td', {}, u.blocked ? 'заблокирован' : ''),
      h('td', {},
        act('Выдать пароль', async () => {
          const r = await api.write('issue_credential', { user: u.id });
          secret.textContent = `Одноразовый пароль для ${u.login}: ${r.one_time_password} — покажите его один раз; при входе его сменят.`;
        }), ' ',
        u.blocked ? act('Разблокировать', async () => {
          const reason = prompt('Причина разблокировки:'); if (!reason) return;
          await api.write('unblock_account', { user: u.id, reason }); await showUsers();
        }) : act('Заблокировать', async () => {
          const reason = prompt('Причина блокировки:'); if (!reason) return;
          await api.write('block_account', { user: u.id, reason }); await showUsers();
        }), ' ',
        act('Снять блокировку входа', async () => { await api.call('auth.unlock', { login: u.login }); status('Блокировка входа снята'); }), ' ',
        act('Роли…', () => editRoles(u)))));
    const login = h('input', { id: 'new-login', required: true, autocomplete: 'off' });
    const name = h('input', { id: 'new-name', required: true });
    const role = h('select', { id: 'new-role' }, ['teacher', 'deputy', 'director', 'administrator'].map((r) => h('option', { value: r }, ROLE_WORDS[r])));
    const form = h('form', { id: 'new-user', class: 'toolbar' },
      h('div', {}, h('label', { for: 'new-login' }, 'Логин'), login), h('div', {}, h('label', { for: 'new-name' }, 'ФИО'), name),
      h('div', {}, h('label', { for: 'new-role' }, 'Роль'), role), h('button', { type: 'submit' }, 'Создать'));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      try {
        await api.write('create_staff_account', { login: login.value.trim(), role: role.value, display_name: name.value.trim(), curator_of: 0 });
        status(`Учётная запись ${login.value} создана; выдайте ей пароль`);
        await showUsers();
      } catch (err) { status(err.message, true); }
    });
    // The staff list, searched by name or login and filtered by role, in the page (a school's staff is small).
    const search = h('input', { id: 'staff-search', type: 'search', placeholder: 'фамилия или логин', autocomplete: 'off' });
    const roleFilter = h('select', { id: 'staff-role' }, h('option', { value: '' }, 'все роли'),
      ['teacher', 'curator', 'deputy', 'director', 'administrator'].map((r) => h('option', { value: r }, ROLE_PLURAL[r])));
    const found = h('span', { id: 'staff-found', class: 'muted' });
    const filter = () => {
      const q = search.value.trim().toLocaleLowerCase('ru');
      let n = 0;
      for (const tr of rows) {
        const show = (!q || tr.dataset.search.includes(q)) && (!roleFilter.value || tr.dataset.roles.split(' ').includes(roleFilter.value));
        tr.hidden = !show;
        if (show) ++n;
      }
      found.textContent = `Показано: ${n} из ${rows.length}`;
    };
    search.addEventListener('input', filter);
    roleFilter.addEventListener('change', filter);
    filter();
    users.replaceChildren(h('h2', {}, 'Пользователи'), form, secret, await slipsForm(),
      h('div', { class: 'toolbar' }, h('div', {}, h('label', { for: 'staff-search' }, 'Найти сотрудника'), search),
        h('div', {}, h('label', { for: 'staff-role' }, 'Роль'), roleFilter), found),
      h('table', { class: 'list', id: 'staff-list' }, h('thead', {}, h('tr', {}, ['Логин', 'Имя', 'Роли', '', ''].map((t) => h('th', {}, t)))), h('tbody', {}, rows)));
  }
  // One-time passwords for a whole class at once, printed as slips (one per pupil and one per parent),
  // since that is how a school hands them out. Each password is shown once: the slips are the only copy.
  async function slipsForm() {
    const classes = await api.call('roster.classes');
    const collator = new Intl.Collator('ru', { numeric: true });
    const klass = h('select', { id: 'slips-class' }, classes.slice().sort((a, b) => collator.compare(a.name, b.name))
      .map((c) => h('option', { value: c.id }, c.name)));
    const who = h('select', { id: 'slips-who' }, h('option', { value: 'both' }, 'ученикам и родителям'),
      h('option', { value: 'students' }, 'только ученикам'), h('option', { value: 'parents' }, 'только родителям'));
    const out = h('div', { id: 'slips' });
    const form = h('form', { class: 'toolbar', id: 'slips-form' },
      h('div', {}, h('label', { for: 'slips-class' }, 'Пароли классу'), klass), h('div', {}, h('label', { for: 'slips-who' }, 'Кому'), who),
      h('button', { type: 'submit' }, 'Выдать и напечатать'));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const c = classes.find((x) => x.id === Number(klass.value));
      if (!window.confirm(`Выдать новые одноразовые пароли классу ${c.name}? Прежние пароли этих учётных записей перестанут действовать.`)) return;
      try {
        const students = await api.call('roster.class', { class_id: c.id });
        const slips = [];
        for (const st of students) {
          const targets = [];
          if (who.value !== 'parents' && st.login) targets.push({ id: st.id, login: st.login, title: `Ученик: ${st.name}` });
          if (who.value !== 'students')
            for (const p of st.parent_accounts) if (p.login) targets.push({ id: p.id, login: p.login, title: `Родитель ученика: ${st.name}` });
          for (const t of targets) {
            const r = await api.write('issue_credential', { user: t.id });
            slips.push({ ...t, password: r.one_time_password });
          }
        }
        out.replaceChildren(h('p', { class: 'no-print' }, `Выдано паролей: ${slips.length}. `,
          h('button', { type: 'button', id: 'slips-print', onclick: () => {
            document.body.classList.add('printing-slips');
            window.print();
            document.body.classList.remove('printing-slips');
          } }, 'Печать')),
          h('div', { class: 'slips' }, slips.map((x) => h('div', { class: 'slip', dataset: { login: x.login } },
            h('strong', {}, 'Электронный журнал'), h('div', {}, `${c.name}. ${x.title}`),
            h('div', {}, 'Адрес: ', location.origin), h('div', {}, 'Логин: ', h('code', {}, x.login)),
            h('div', {}, 'Пароль: ', h('code', { class: 'password' }, x.password)),
            h('small', {}, 'Пароль одноразовый: при первом входе придумайте свой.')))));
        status(`Пароли классу ${c.name} выданы: напечатайте листки и раздайте их`);
      } catch (err) { status(err.message, true); }
    });
    return h('div', {}, form, out);
  }

  // Pupils' and parents' accounts, a class at a time or the whole school, searched by name or login.
  async function showPeople() {
    const classes = await api.call('roster.classes');
    const collator = new Intl.Collator('ru', { numeric: true });
    const sorted = classes.slice().sort((a, b) => collator.compare(a.name, b.name));
    const klass = h('select', { id: 'people-class' }, h('option', { value: 0 }, 'все классы'), sorted.map((c) => h('option', { value: c.id }, c.name)));
    const role = h('select', { id: 'people-role' }, h('option', { value: '' }, 'ученики и родители'),
      h('option', { value: 'student' }, 'ученики'), h('option', { value: 'parent' }, 'родители'));
    const search = h('input', { id: 'people-search', type: 'search', placeholder: 'фамилия, имя или логин' });
    const secret = h('p', { id: 'people-one-time', role: 'status' });
    const body = h('tbody');
    let rows = [];
    const load = async () => {
      const chosen = Number(klass.value) ? sorted.filter((c) => c.id === Number(klass.value)) : sorted;
      rows = [];
      for (const c of chosen) {
        for (const st of await api.call('roster.class', { class_id: c.id })) {
          rows.push({ id: st.id, login: st.login, role: 'student', name: st.name, klass: c.name, blocked: st.blocked });
          for (const p of st.parent_accounts)
            rows.push({ id: p.id, login: p.login, role: 'parent', name: `родитель: ${st.name}`, klass: c.name, blocked: p.blocked });
        }
      }
      rows.sort((a, b) => collator.compare(a.name, b.name));
      draw();
    };
    const draw = () => {
      const q = search.value.trim().toLocaleLowerCase('ru');
      const shown = rows.filter((r) => (!role.value || r.role === role.value) &&
        (!q || r.name.toLocaleLowerCase('ru').includes(q) || (r.login || '').includes(q)));
      body.replaceChildren(...shown.slice(0, 500).map((r) => h('tr', { dataset: { login: r.login } },
        h('td', {}, r.login), h('td', {}, r.name), h('td', {}, r.role === 'student' ? 'ученик' : 'родитель'), h('td', {}, r.klass),
        h('td', {}, r.blocked ? 'заблокирован' : ''),
        h('td', {}, h('button', { type: 'button', onclick: async () => {
          try {
            const x = await api.write('issue_credential', { user: r.id });
            secret.textContent = `Одноразовый пароль для ${r.login}: ${x.one_time_password} — покажите его один раз; при входе его сменят.`;
          } catch (err) { status(err.message, true); }
        } }, 'Выдать пароль')))));
      count.textContent = shown.length > 500 ? `Показаны 500 из ${shown.length}: уточните поиск` : `Найдено: ${shown.length}`;
    };
    const count = h('p', { id: 'people-count' });
    klass.addEventListener('change', load);
    role.addEventListener('change', draw);
    search.addEventListener('input', draw);
    people.replaceChildren(h('h2', {}, 'Ученики и родители'), h('div', { class: 'toolbar' },
      h('div', {}, h('label', { for: 'people-class' }, 'Класс'), klass), h('div', {}, h('label', { for: 'people-role' }, 'Кто'), role),
      h('div', {}, h('label', { for: 'people-search' }, 'Поиск'), search)), secret, count,
      h('table', { class: 'list' }, h('thead', {}, h('tr', {}, ['Логин', 'Имя', 'Роль', 'Класс', '', ''].map((t) => h('th', {}, t)))), body));
    klass.value = String(sorted[0]?.id ?? 0);
    await load();
  }

  async function editRoles(u) {
    const classes = await api.call('roster.classes');
    const role = h('select', { id: 'role-role' }, ['teacher', 'curator', 'deputy', 'director', 'administrator'].map((r) =>
      h('option', { value: r }, ROLE_WORDS[r])));
    const klass = h('select', { id: 'role-class' }, h('option', { value: 0 }, '—'), classes.map((c) => h('option', { value: c.id }, c.name)));
    const error = h('p', { class: 'error', role: 'alert' });
    const dlg = h('dialog', { id: 'roles' });
    const change = (op) => async () => {
      try {
        await api.write(op, { user: u.id, role: role.value, class_id: Number(klass.value) });
        dlg.close();
        status(op === 'grant_role' ? 'Роль добавлена' : 'Роль снята');
        await showUsers();
      } catch (err) { error.textContent = err.message; }
    };
    dlg.append(h('h2', {}, `Роли: ${u.name}`), h('label', { for: 'role-role' }, 'Роль'), role,
      h('label', { for: 'role-class' }, 'Класс (для классного руководителя)'), klass, error,
      h('p', {}, h('button', { type: 'button', id: 'role-grant', onclick: change('grant_role') }, 'Добавить'), ' ',
        h('button', { type: 'button', id: 'role-revoke', onclick: change('revoke_role') }, 'Снять'), ' ',
        h('button', { type: 'button', onclick: () => dlg.close() }, 'Закрыть')));
    dlg.addEventListener('close', () => dlg.remove());
    document.body.append(dlg);
    dlg.showModal();
  }
  try { await showUsers(); } catch (err) { users.append(h('p', { class: 'error' }, err.message)); }
  try { await showPeople(); } catch (err) { people.append(h('p', { class: 'error' }, err.message)); }

  try {
    const s = await api.call('stats.summary');
    stats.append(h('ul', { class: 'plain' },
      h('li', {}, `Учётных записей: ${s.accounts.total} (заблокировано ${s.accounts.blocked})`),
      Object.entries(s.accounts.by_role).map(([role, n]) => h('li', { dataset: { role } }, `${ROLE_PLURAL[role] || ROLE_WORDS[role] || role}: ${n}`)),
      h('li', {}, `Записей в журнале: ${s.log.events.toLocaleString('ru-RU')}`)));
  } catch (err) {
    stats.append(h('p', { class: 'error' }, err.message));
  }

  async function showBackups() {
    const b = await api.call('backup.status');
    const rows = b.history.map((r) => h('tr', {},
      h('td', {}, r.kind === 'archive' ? `архив ${r.month}` : 'копия'), h('td', {}, r.target),
      h('td', {}, r.ok ? 'готово' : `ошибка: ${r.message}`), h('td', {}, r.at_us ? formatTime(r.at_us) : ''),
      h('td', {}, r.last_success_us ? formatTime(r.last_success_us) : '—')));
    backups.replaceChildren(h('h2', {}, 'Резервные копии'),
      b.configured ? h('p', {}, `Каждые ${b.every_hours} ч, диски: ${b.targets.map((t) => t.target).join(', ')}`)
        : h('p', {}, 'Диски не заданы (ejournald --backup-to).'),
      h('table', {}, h('thead', {}, h('tr', {}, ['Что', 'Диск', 'Итог', 'Когда', 'Последняя удачная'].map((t) => h('th', {}, t)))),
        h('tbody', {}, rows)),
      b.configured ? h('p', {}, h('button', { type: 'button', id: 'backup-run', onclick: async () => {
        try { await api.call('backup.run'); status('Резервное копирование запущено'); setTimeout(showBackups, 3000); }
        catch (err) { status(err.message, true); }
      } }, 'Сделать копию сейчас')) : null);
  }
  try { await showBackups(); } catch (err) { backups.append(h('p', { class: 'error' }, err.message)); }
  return async () => {};
}

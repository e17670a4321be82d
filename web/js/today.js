// A teacher's day: their lessons by period — own ones and those they give as a substitute — with what is
// already entered (topic, register, homework), the deputy's review of the homework, and a link to each
// lesson's journal; below, the teacher's correction requests and what the deputy decided. Opens on today;
// the day can be moved back and forth. Live: it refreshes when anything is recorded in one of the listed
// journals.
import { h, ruDate, weekday, addDays, schoolToday, status } from './util.js';
import { requestWhat, STATE_WORDS } from './control.js';

export async function todayPage({ api, account, main, params }) {
  const [classes, subjects, terms, staff] = await Promise.all([
    api.call('roster.classes'), api.call('roster.subjects'), api.call('roster.terms'), api.call('roster.staff'),
  ]);
  const classById = new Map(classes.map((c) => [c.id, c]));
  const subjectName = new Map(subjects.map((s) => [s.id, s.name]));
  const staffName = new Map(staff.map((s) => [s.id, s.name]));
  let day = /^\d{4}-\d{2}-\d{2}$/.test(params.get('day') || '') ? params.get('day') : schoolToday();

  const picker = h('input', { type: 'date', id: 'day', value: day });
  const title = h('h2', { id: 'day-title' });
  const body = h('div', { id: 'today' });
  const requests = h('div', { id: 'my-corrections' });
  const move = (n) => { day = addDays(day, n); picker.value = day; load(); };
  main.replaceChildren(
    h('div', { class: 'toolbar' },
      h('button', { type: 'button', onclick: () => move(-1), 'aria-label': 'Предыдущий день' }, '←'),
      h('div', {}, h('label', { for: 'day' }, 'День'), picker),
      h('button', { type: 'button', onclick: () => move(1), 'aria-label': 'Следующий день' }, '→'),
      h('button', { type: 'button', onclick: () => { day = schoolToday(); picker.value = day; load(); } }, 'Сегодня')),
    title, body, requests);
  picker.addEventListener('change', () => { if (picker.value) { day = picker.value; load(); } });

  // The term of a class that holds `day` (the journal opens on it).
  const termOf = (classId) => {
    const c = classById.get(classId);
    if (!c) return 0;
    const t = terms.find((x) => x.year === c.year && c.grade >= x.grade_from && c.grade <= x.grade_to &&
      x.first_day <= day && day <= x.last_day);
    return t ? t.id : 0;
  };
  const mark = (done, yes, no) => h('span', { class: done ? 'ok' : 'missing' }, done ? `✓ ${yes}` : `✗ ${no}`);

  let refresh = null;  // pushes come in bursts: one reload per burst
  const soon = () => { if (!refresh) refresh = setTimeout(() => { refresh = null; load(); }, 300); };

  async function load() {
    title.textContent = `Уроки: ${weekday(day)}, ${ruDate(day)}`;
    let lessons;
    try {
      lessons = await api.call('control.day', { teacher: account.user, day });
    } catch (err) {
      status(err.message, true);
      return;
    }
    status('');
    if (lessons.length === 0) {
      body.replaceChildren(h('p', {}, 'В этот день у вас нет уроков.'));
    } else {
      body.replaceChildren(h('table', { class: 'list' },
        h('thead', {}, h('tr', {}, ['Урок', 'Класс', 'Предмет', 'Тема', 'Посещаемость', 'Д/з', ''].map((t) => h('th', {}, t)))),
        h('tbody', {}, lessons.map((l) => {
          const c = classById.get(l.class_id);
          const journal = `#/journal?class=${l.class_id}&group=${l.group}&subject=${l.subject}&term=${termOf(l.class_id)}`;
          let note = '';
          if (!l.held) note = `не проведён${l.reason ? ': ' + l.reason : ''}`;
          else if (l.substitute === account.user) note = `замена за: ${staffName.get(l.teacher) || l.teacher}`;
          else if (l.substitute) note = `замена: ${staffName.get(l.substitute) || l.substitute}`;
          const review = l.review ? h('div', { class: l.review.conforms ? 'hint' : 'hint review-bad' },
            `Проверка д/з (${staffName.get(l.review.deputy) || 'завуч'}, ${ruDate(l.review.day)}): `,
            l.review.conforms ? 'соответствует нормам' : 'не соответствует нормам', l.review.comment ? ` — ${l.review.comment}` : '') : null;
          return h('tr', { class: l.held ? '' : 'not-held', dataset: { lesson: l.lesson } },
            h('td', {}, l.period), h('td', {}, `${c ? c.name : l.class_id}${l.group ? ' (группа)' : ''}`),
            h('td', {}, subjectName.get(l.subject) || l.subject),
            h('td', {}, mark(l.topic_set, 'записана', 'нет')), h('td', {}, mark(l.register_taken, 'отмечена', 'не отмечена')),
            h('td', {}, mark(l.homework_set, 'задано', 'нет'), review),
            h('td', {}, h('a', { href: journal }, 'Открыть журнал'), note ? h('div', { class: 'hint' }, note) : null));
        }))));
    }
    await loadRequests();
    // Refresh on changes to these journals (a topic or register entered from the grid shows here at once).
    await api.unsubscribeAll();
    const keys = new Set(lessons.map((l) => `${l.class_id}:${l.group}:${l.subject}`));
    for (const key of keys) {
      const [class_id, group, subject] = key.split(':').map(Number);
      try {
        await api.subscribe('journal', { class_id, group, subject }, soon);
      } catch { /* live refresh is a convenience; the page itself is already shown */ }
    }
  }

  // The teacher's correction requests of closed terms, newest first, with the deputy's decision.
  async function loadRequests() {
    let mine = [];
    try { mine = await api.callAll('control.corrections', {}); } catch { requests.replaceChildren(); return; }
    if (mine.length === 0) { requests.replaceChildren(); return; }
    requests.replaceChildren(h('h3', {}, 'Мои запросы на исправление'), h('table', { class: 'list' },
      h('thead', {}, h('tr', {}, ['№', 'Класс', 'Урок', 'Запрос', 'Причина', 'Решение'].map((t) => h('th', {}, t)))),
      h('tbody', {}, mine.slice().reverse().map((r) => h('tr', { class: `request ${r.state}`, dataset: { request: r.id } },
        h('td', {}, r.id), h('td', {}, classById.get(r.class_id)?.name || ''), h('td', {}, `${ruDate(r.lesson_day)}, ${r.period}-й`),
        h('td', {}, requestWhat(r)), h('td', {}, r.reason),
        h('td', {}, STATE_WORDS[r.state], r.answer ? ` — ${r.answer}` : ''))))));
  }

  await load();
  return async () => { clearTimeout(refresh); await api.unsubscribeAll(); };
}

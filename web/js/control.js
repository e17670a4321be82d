// The deputies' page: control of entries per teacher, the register of missed and substituted lessons (with
// entering them), the teachers' time sheet, audit searches (late entries, changes after a term was closed, by
// teacher, by class and subject between dates), the teachers' correction requests to decide, and the terms to
// close and reopen. Every report can be shown as of a past date.
import { h, ruDate, status, asOfControl, pastBanner, schoolToday, addDays } from './util.js';
import { formatTime, shown } from './history.js';

const STATE_WORDS = { pending: 'ожидает', approved: 'одобрено', rejected: 'отклонено' };
const REQUEST_WORDS = { set_mark: 'поставить отметку', correct_mark: 'исправить отметку', remove_mark: 'удалить отметку',
  set_attendance: 'отметить посещаемость', clear_attendance: 'снять отметку посещаемости' };
const ATTENDANCE_WORDS = { absent: 'Н', excused: 'УП', sick: 'Б', late: 'ОП' };

// What a correction request asks, in words: "поставить отметку 4", "отметить посещаемость: Б".
export function requestWhat(r) {
  const base = REQUEST_WORDS[r.kind] || r.kind;
  if (r.value) return `${base} ${r.value}`;
  if (r.code) return `${base}: ${ATTENDANCE_WORDS[r.code] || r.code}`;
  return base;
}
export { STATE_WORDS };

const collator = new Intl.Collator('ru');
const weekendOf = (iso) => [0, 6].includes(new Date(iso + 'T12:00:00Z').getUTCDay());

const KIND_WORDS = {
  mark_set: 'отметка', mark_corrected: 'исправление', mark_removed: 'удаление', attendance_set: 'посещаемость',
  attendance_cleared: 'посещаемость снята', topic_set: 'тема', homework_set: 'д/з', attestation_set: 'аттестация',
  personal_data_recorded: 'личные данные', personal_data_erased: 'личные данные удалены', backup_recorded: 'резервная копия',
};

export async function controlPage({ api, main, params }) {
  const [staff, classes, subjects] = await Promise.all([api.call('roster.staff'), api.call('roster.classes'), api.call('roster.subjects')]);
  const staffName = new Map(staff.map((s) => [s.id, s.name]));
  const className = new Map(classes.map((c) => [c.id, c.name]));
  const subjectName = new Map(subjects.map((s) => [s.id, s.name]));
  const teachers = staff.filter((s) => s.roles.includes('teacher'));
  const today = schoolToday();
  const state = { view: params.get('view') || 'overview', from: today.slice(0, 8) + '01', to: today, asOf: null };

  const views = [['overview', 'Контроль заполнения'], ['register', 'Пропуски и замены'], ['timesheet', 'Табель'], ['audit', 'Аудит'],
    ['corrections', 'Запросы на исправление'], ['terms', 'Учебные периоды']];
  const viewSelect = h('select', { id: 'view' }, views.map(([id, t]) => h('option', { value: id, selected: id === state.view }, t)));
  const from = h('input', { type: 'date', id: 'from', value: state.from });
  const to = h('input', { type: 'date', id: 'to', value: state.to });
  const banner = h('div');
  const body = h('div', { id: 'report' });
  main.replaceChildren(h('div', { class: 'toolbar' },
    h('div', {}, h('label', { for: 'view' }, 'Отчёт'), viewSelect),
    h('div', {}, h('label', { for: 'from' }, 'С'), from), h('div', {}, h('label', { for: 'to' }, 'По'), to),
    asOfControl((v) => { state.asOf = v; show(); })), banner, body);
  viewSelect.addEventListener('change', () => { state.view = viewSelect.value; show(); });
  from.addEventListener('change', () => { state.from = from.value; show(); });
  to.addEventListener('change', () => { state.to = to.value; show(); });

  const withAsOf = (args) => (state.asOf ? { ...args, as_of: state.asOf } : args);
  const table = (heads, rows) => h('table', { class: 'list' }, h('thead', {}, h('tr', {}, heads.map((t) => h('th', {}, t)))),
    h('tbody', {}, rows));

  async function overview() {
    const rows = await api.call('control.overview', withAsOf({ from: state.from, to: state.to, today }));
    const details = h('div', { id: 'control-details' });
    // A count opens the lessons behind it, each linked to its journal.
    const count = (r, ids, what) => (ids.length === 0 ? '0' : h('button', { type: 'button', class: 'link', dataset: { teacher: r.teacher, what },
      onclick: async () => {
        try {
          const lessons = await api.call('control.lesson_details', { lessons: ids.slice(0, 2000) });
          details.replaceChildren(h('h3', {}, `${staffName.get(r.teacher) || r.teacher}: ${what} — ${lessons.length}`),
            table(['Дата', 'Урок', 'Класс', 'Предмет', ''], lessons.map((l) => h('tr', {}, h('td', {}, ruDate(l.day)), h('td', {}, `${l.period}-й`),
              h('td', {}, className.get(l.class_id) || ''), h('td', {}, subjectName.get(l.subject) || ''),
              h('td', {}, h('a', { href: `#/journal?class=${l.class_id}&group=${l.group}&subject=${l.subject}` }, 'журнал'))))));
          details.scrollIntoView({ block: 'nearest' });
        } catch (err) { status(err.message, true); }
      } }, String(ids.length)));
    return h('div', {}, table(['Учитель', 'Уроков', 'Без темы', 'Без отметки посещаемости', 'Без д/з', 'Поздних отметок', 'Опоздание, дней', 'Проверок д/з'],
      rows.map((r) => h('tr', {}, h('td', {}, staffName.get(r.teacher) || r.teacher), h('td', {}, r.lessons),
        h('td', {}, count(r, r.without_topic, 'без темы')), h('td', {}, count(r, r.register_not_taken, 'без отметки посещаемости')),
        h('td', {}, count(r, r.without_homework, 'без д/з')),
        h('td', {}, count(r, [...new Set(r.late_marks.map((m) => m.lesson))], 'уроки с поздними отметками')), h('td', {}, r.max_days_late),
        h('td', {}, `${r.reviews} (несоотв. ${r.reviews_not_conforming})`)))), details);
  }

  async function register() {
    const rows = await api.callAll('control.register', withAsOf({ from: state.from, to: state.to }));
    return h('div', {}, table(['Дата', 'Урок', 'Класс', 'Предмет', 'Учитель', 'Замещал', 'Причина'],
      rows.map((r) => h('tr', {}, h('td', {}, ruDate(r.day)), h('td', {}, `${r.period}-й`),
        h('td', {}, className.get(r.class_id) || r.class_id), h('td', {}, subjectName.get(r.subject) || r.subject),
        h('td', {}, staffName.get(r.teacher) || r.teacher),
        h('td', {}, r.held ? (staffName.get(r.substitute) || r.substitute) : 'не состоялся'), h('td', {}, r.reason)))),
      state.asOf ? null : registerForm());
  }

  // A substitution or a lesson not held, chosen as the deputy thinks of it: a day, a class, a period. Only the
  // teachers free in that period are offered (the server refuses a clash anyway).
  function registerForm() {
    // The day and class chosen last stay chosen after a record, for the next lesson of the same day.
    const day = h('input', { id: 'reg-day', type: 'date', required: true, value: state.regDay || today });
    const klass = h('select', { id: 'reg-class', required: true },
      classes.map((c) => h('option', { value: c.id, selected: c.id === state.regClass }, c.name)));
    const period = h('select', { id: 'reg-period', required: true });
    const substitute = h('select', { id: 'reg-substitute' });
    const reason = h('input', { id: 'reg-reason', required: true });
    const held = h('p', { class: 'hint', id: 'reg-lesson-info' });
    let lessons = [];
    const fillSubstitutes = () => {
      const l = lessons.find((x) => x.lesson === Number(period.value));
      if (!l) { substitute.replaceChildren(); held.textContent = ''; return; }
      // Free: no held lesson of any class in that period, own or as a substitute.
      const free = teachers.filter((t) => t.id !== l.teacher && !busyAll.has(`${l.period}:${t.id}`));
      substitute.replaceChildren(h('option', { value: 0 }, '— урок не состоится —'),
        ...free.map((t) => h('option', { value: t.id, selected: t.id === l.substitute }, t.name)));
      held.textContent = `${subjectName.get(l.subject) || ''}, учитель: ${staffName.get(l.teacher) || l.teacher}` +
        (l.substitute ? `; уже замещает: ${staffName.get(l.substitute) || l.substitute}` : '') + (l.held ? '' : '; урок отмечен как непроведённый') +
        `. Свободны в это время: ${free.length}.`;
    };
    let busyAll = new Set();
    let asked = 0;  // a newer choice of day or class wins over an answer still on its way
    const fillPeriods = async () => {
      const mine = ++asked;
      form.dataset.loading = '1';
      const all = day.value ? await api.call('control.lessons_on', { day: day.value }) : [];
      if (mine !== asked) return;
      delete form.dataset.loading;
      busyAll = new Set(all.filter((x) => x.held).map((x) => `${x.period}:${x.substitute || x.teacher}`));
      lessons = all.filter((x) => x.class_id === Number(klass.value));
      period.replaceChildren(...(lessons.length ? lessons.map((l) => h('option', { value: l.lesson },
        `${l.period}-й — ${subjectName.get(l.subject) || l.subject}${l.group ? ' (группа)' : ''}`)) : [h('option', { value: '' }, 'уроков нет')]));
      fillSubstitutes();
    };
    day.addEventListener('change', () => { state.regDay = day.value; fillPeriods(); });
    klass.addEventListener('change', () => { state.regClass = Number(klass.value); fillPeriods(); });
    period.addEventListener('change', fillSubstitutes);
    const form = h('form', { class: 'card', id: 'register-form' }, h('h3', {}, 'Записать замену или пропуск'),
      h('label', { for: 'reg-day' }, 'Дата'), day, h('label', { for: 'reg-class' }, 'Класс'), klass,
      h('label', { for: 'reg-period' }, 'Урок'), period, held, h('label', { for: 'reg-substitute' }, 'Замещает'), substitute,
      h('label', { for: 'reg-reason' }, 'Причина'), reason, h('p', {}, h('button', { type: 'submit' }, 'Записать')),
      h('p', { class: 'error', id: 'reg-error', role: 'alert' }));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const lesson = Number(period.value);
      if (!lesson) return;
      try {
        const sub = Number(substitute.value);
        if (sub) await api.write('substitute_lesson', { lesson, substitute: sub, reason: reason.value });
        else await api.write('cancel_lesson', { lesson, reason: reason.value });
        status(sub ? 'Замена записана' : 'Урок отмечен как непроведённый');
        await show();
      } catch (err) {
        // The refusal (a clash, a lesson that holds marks, a closed term) is shown by the form that caused it.
        form.querySelector('#reg-error').textContent = err.message;
      }
    });
    fillPeriods();
    return form;
  }

  // The табель: a row per teacher, a column per day of the period, the hours (lessons held, own and as a
  // substitute) in each cell, with totals.
  async function timesheet() {
    const rows = await api.call('control.time_sheet', withAsOf({ from: state.from, to: state.to }));
    const days = [];
    for (let d = state.from; d <= state.to && days.length < 62; d = addDays(d, 1)) days.push(d);
    const sorted = rows.slice().sort((a, b) => collator.compare(staffName.get(a.teacher) || '', staffName.get(b.teacher) || ''));
    const perDay = days.map(() => 0);
    const body = sorted.map((r) => {
      const hours = new Map(r.hours_by_day.map((x) => [x.day, x.hours]));
      days.forEach((d, i) => { perDay[i] += hours.get(d) || 0; });
      return h('tr', { dataset: { teacher: r.teacher } }, h('th', { scope: 'row' }, staffName.get(r.teacher) || r.teacher),
        days.map((d) => h('td', { class: weekendOf(d) ? 'weekend' : '' }, hours.get(d) || '')),
        h('td', { class: 'total' }, r.given + r.substitutions), h('td', {}, r.substitutions), h('td', {}, r.missed));
    });
    return h('div', { class: 'grid-wrap' }, h('table', { class: 'list timesheet' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Учитель'), days.map((d) => h('th', { class: weekendOf(d) ? 'weekend' : '', title: ruDate(d) }, d.slice(8))),
        h('th', {}, 'Всего часов'), h('th', {}, 'Из них замен'), h('th', {}, 'Пропущено'))),
      h('tbody', {}, body),
      h('tfoot', {}, h('tr', {}, h('th', {}, 'Итого'), perDay.map((n, i) => h('td', { class: weekendOf(days[i]) ? 'weekend' : '' }, n || '')),
        h('td', { class: 'total' }, perDay.reduce((x, y) => x + y, 0)),
        h('td', {}, rows.reduce((x, r) => x + r.substitutions, 0)), h('td', {}, rows.reduce((x, r) => x + r.missed, 0))))));
  }

  async function audit() {
    const kind = h('select', { id: 'audit-kind' },
      h('option', { value: 'late' }, 'Внесено позже, чем через N дней после урока'),
      h('option', { value: 'after_close' }, 'Изменения после закрытия периода'),
      h('option', { value: 'actor' }, 'Изменения учителя'),
      h('option', { value: 'changes' }, 'Изменения в журнале класса за даты'));
    const days = h('input', { id: 'audit-days', type: 'number', min: 1, value: 3 });
    const teacher = h('select', { id: 'audit-teacher' }, teachers.map((t) => h('option', { value: t.id }, t.name)));
    const klass = h('select', { id: 'audit-class' }, classes.map((c) => h('option', { value: c.id }, c.name)));
    const subject = h('select', { id: 'audit-subject' }, subjects.map((s) => h('option', { value: s.id }, s.name)));
    const out = h('div', { id: 'audit-result' });
    const run = async () => {
      let args;
      let op = 'audit.' + kind.value;
      if (kind.value === 'late') args = { days: Number(days.value) };
      else if (kind.value === 'after_close') args = {};
      else if (kind.value === 'actor') args = { actor: Number(teacher.value) };
      else { op = 'audit.changes'; args = { class_id: Number(klass.value), subject: Number(subject.value), from: state.from + 'T00:00:00', to: state.to + 'T23:59:59' }; }
      try {
        const { items: entries, next } = await api.call(op, withAsOf({ ...args, limit: 500 }));
        out.replaceChildren(h('p', {}, next ? `Показаны последние ${entries.length}` : `Найдено: ${entries.length}`),
          table(['Когда', 'Кто', 'Что', 'Ученик', 'Класс', 'Предмет', 'День урока', 'Было → стало', 'Причина'],
          entries.map((e) => h('tr', {}, h('td', {}, formatTime(e.recorded_at)),
            h('td', {}, e.actor ? (staffName.get(e.actor) || e.actor) : 'система'), h('td', {}, KIND_WORDS[e.kind] || e.kind),
            h('td', {}, e.student_name || ''), h('td', {}, className.get(e.class_id) || ''), h('td', {}, subjectName.get(e.subject) || ''), h('td', {}, ruDate(e.lesson_day)),
            h('td', {}, `${shown(e, e.before)} → ${shown(e, e.after)}`), h('td', {}, e.reason, e.after_term_closed ? ' (после закрытия)' : '')))));
      } catch (err) { out.replaceChildren(h('p', { class: 'error' }, err.message)); }
    };
    const form = h('form', { class: 'toolbar', id: 'audit-form' },
      h('div', {}, h('label', { for: 'audit-kind' }, 'Поиск'), kind), h('div', {}, h('label', { for: 'audit-days' }, 'N дней'), days),
      h('div', {}, h('label', { for: 'audit-teacher' }, 'Учитель'), teacher), h('div', {}, h('label', { for: 'audit-class' }, 'Класс'), klass),
      h('div', {}, h('label', { for: 'audit-subject' }, 'Предмет'), subject), h('button', { type: 'submit' }, 'Найти'));
    form.addEventListener('submit', (e) => { e.preventDefault(); run(); });
    await run();
    return h('div', {}, form, out);
  }

  // The teachers' requests to change closed terms: the pending ones first, each approved or rejected here.
  async function corrections() {
    const all = await api.callAll('control.corrections', withAsOf({}));
    const pending = all.filter((r) => r.state === 'pending');
    const decided = all.filter((r) => r.state !== 'pending').reverse();
    const decide = (r, approve) => async () => {
      const answer = window.prompt(approve ? 'Комментарий к одобрению (можно пустой):' : 'Причина отказа:');
      if (answer === null || (!approve && !answer)) return;
      try {
        if (approve) await api.write('approve_correction', { request: r.id, comment: answer });
        else await api.write('reject_correction', { request: r.id, reason: answer });
        status(approve ? `Запрос № ${r.id} одобрен: изменение внесено в журнал` : `Запрос № ${r.id} отклонён`);
        await show();
      } catch (err) { status(err.message, true); }
    };
    const row = (r, actions) => h('tr', { dataset: { request: r.id } }, h('td', {}, r.id), h('td', {}, staffName.get(r.requester) || r.requester),
      h('td', {}, className.get(r.class_id) || ''), h('td', {}, subjectName.get(r.subject) || ''),
      h('td', {}, `${ruDate(r.lesson_day)}, ${r.period}-й`), h('td', {}, requestWhat(r)), h('td', {}, r.reason),
      h('td', {}, STATE_WORDS[r.state], r.answer ? h('div', { class: 'hint' }, r.answer) : null), h('td', {}, actions));
    const heads = ['№', 'Учитель', 'Класс', 'Предмет', 'Урок', 'Запрос', 'Причина', 'Состояние', ''];
    return h('div', {},
      h('h3', {}, `Ожидают решения: ${pending.length}`),
      pending.length ? table(heads, pending.map((r) => row(r, state.asOf ? null : [
        h('button', { type: 'button', class: 'approve', onclick: decide(r, true) }, 'Одобрить'), ' ',
        h('button', { type: 'button', class: 'reject', onclick: decide(r, false) }, 'Отклонить')]))) : h('p', {}, 'Нет запросов.'),
      h('h3', {}, 'Рассмотренные'), decided.length ? table(heads, decided.map((r) => row(r, null))) : h('p', {}, 'Нет.'));
  }

  // Terms: closing one stops direct changes to its lessons; reopening it needs a reason.
  async function termsView() {
    const terms = state.asOf ? await api.call('roster.terms', withAsOf({})) : await api.call('roster.terms');
    const act = (t) => async () => {
      try {
        if (t.closed) {
          const reason = window.prompt(`Открыть «${t.name}» заново? Причина:`);
          if (!reason) return;
          await api.write('reopen_term', { term: t.id, reason });
          status(`Период «${t.name}» открыт заново`);
        } else {
          if (!window.confirm(`Закрыть «${t.name}»? После закрытия изменения — только через запросы на исправление.`)) return;
          await api.write('close_term', { term: t.id });
          status(`Период «${t.name}» закрыт`);
        }
        await show();
      } catch (err) { status(err.message, true); }
    };
    return table(['Период', 'Даты', 'Параллели', 'Состояние', ''], terms.map((t) => h('tr', { dataset: { term: t.id } },
      h('td', {}, t.name), h('td', {}, `${ruDate(t.first_day)}–${ruDate(t.last_day)}`), h('td', {}, `${t.grade_from}–${t.grade_to} классы`),
      h('td', {}, t.closed ? 'закрыт' : 'открыт'),
      h('td', {}, state.asOf ? null : h('button', { type: 'button', class: t.closed ? 'reopen' : 'close', onclick: act(t) },
        t.closed ? 'Открыть заново' : 'Закрыть')))));
  }

  // Each change of view or period renders anew; an answer that arrives after a newer request is dropped, and
  // `data-shown` names what the report shows (view, period, as of).
  let shows = 0;
  async function show() {
    const mine = ++shows;
    const what = `${state.view}:${state.from}:${state.to}:${state.asOf || ''}`;
    banner.replaceChildren(...(state.asOf ? [pastBanner(state.asOf)] : []));
    let out;
    try {
      const view = { overview, register, timesheet, audit, corrections, terms: termsView }[state.view] || overview;
      out = await view();
    } catch (err) {
      out = h('p', { class: 'error', role: 'alert' }, err.message);
    }
    if (mine !== shows) return;
    body.replaceChildren(out);
    body.dataset.shown = what;
  }
  await show();
  return async () => {};
}

// "Настройка": school setup for the deputies and the administrator — academic years and their terms, classes,
// subjects, work types with weights, teachers' assignments (the teaching load), each class's week timetable as
// a grid, and lessons scheduled from it. Every change is a command the domain checks; its refusal is shown
// next to the form that caused it.
import { h, ruDate, addDays, schoolToday } from './util.js';

const collator = new Intl.Collator('ru', { numeric: true });
const WEEKDAYS = ['Пн', 'Вт', 'Ср', 'Чт', 'Пт', 'Сб'];
const PERIODS = [1, 2, 3, 4, 5, 6, 7, 8];

// A form whose result (or refusal) appears beside its button. `fields` are [label, input] pairs.
function form(id, fields, button, onSubmit) {
  const result = h('span', { class: 'result', role: 'status' });
  const el = h('form', { id, class: 'setup-form' },
    fields.map(([label, input]) => h('div', { class: 'field' }, h('label', { for: input.id }, label), input)),
    h('div', { class: 'field' }, h('button', { type: 'submit' }, button), result));
  el.addEventListener('submit', async (e) => {
    e.preventDefault();
    result.className = 'result';
    result.textContent = '…';
    // A success re-renders the section: the message goes to the form that then stands in this one's place.
    const shown = () => (el.isConnected ? result : document.getElementById(id)?.querySelector('.result') || result);
    try {
      const message = (await onSubmit()) || 'Сохранено';
      shown().textContent = message;
    } catch (err) {
      shown().className = 'result error';
      shown().textContent = err.message;
    }
  });
  return el;
}

const input = (id, attrs = {}) => h('input', { id, required: true, ...attrs });
const select = (id, options, selected) => h('select', { id, required: true },
  options.map(([value, text]) => h('option', { value, selected: String(value) === String(selected) }, text)));

export async function setupPage({ api, main, params }) {
  const today = schoolToday();
  const data = {};
  async function load() {
    const [years, terms, classes, subjects, workTypes, staff] = await Promise.all([
      api.call('roster.years'), api.call('roster.terms'), api.call('roster.classes'), api.call('roster.subjects'),
      api.call('roster.work_types'), api.call('roster.staff')]);
    Object.assign(data, { years, terms, classes, subjects, workTypes, staff });
    data.teachers = staff.filter((s) => s.roles.includes('teacher') && !s.blocked).sort((a, b) => collator.compare(a.name, b.name));
  }
  await load();
  const current = () => data.years.find((y) => y.first_day <= today && today <= y.last_day) || data.years.at(-1);
  const state = { year: Number(params.get('year')) || current()?.id || 0, classId: Number(params.get('class')) || 0 };
  const sections = {
    years: h('section', { class: 'setup', id: 'setup-years' }),
    classes: h('section', { class: 'setup', id: 'setup-classes' }),
    subjects: h('section', { class: 'setup', id: 'setup-subjects' }),
    load: h('section', { class: 'setup', id: 'setup-load' }),
    timetable: h('section', { class: 'setup', id: 'setup-timetable' }),
  };
  main.replaceChildren(h('h2', {}, 'Настройка школы'), ...Object.values(sections));

  const yearOf = () => data.years.find((y) => y.id === state.year);
  const classesOfYear = () => data.classes.filter((c) => c.year === state.year).sort((a, b) => collator.compare(a.name, b.name));
  const subjectName = (id) => data.subjects.find((s) => s.id === id)?.name ?? `предмет ${id}`;
  const staffName = (id) => data.staff.find((s) => s.id === id)?.name ?? `№ ${id}`;
  const refresh = async (...which) => { await load(); for (const w of which) await renders[w](); };

  // ---------------------------------------------------------------- years and terms
  function renderYears() {
    const y = yearOf();
    const yearSelect = select('setup-year', data.years.map((x) => [x.id, x.title]), state.year);
    yearSelect.addEventListener('change', async () => {
      state.year = Number(yearSelect.value);
      state.classId = 0;
      for (const r of Object.values(renders)) await r();
    });
    const terms = data.terms.filter((t) => t.year === state.year).sort((a, b) => (a.first_day < b.first_day ? -1 : 1));
    const title = input('year-title', { placeholder: '2027/2028' });
    const yFrom = input('year-first', { type: 'date' }), yTo = input('year-last', { type: 'date' });
    const tName = input('term-name', { placeholder: '1 четверть' });
    const tFrom = input('term-first', { type: 'date' }), tTo = input('term-last', { type: 'date' });
    const gFrom = input('term-grade-from', { type: 'number', min: 1, max: 11, value: 1 });
    const gTo = input('term-grade-to', { type: 'number', min: 1, max: 11, value: 9 });
    sections.years.replaceChildren(h('h3', {}, 'Учебный год и периоды'),
      data.years.length ? h('div', { class: 'toolbar' }, h('label', { for: 'setup-year' }, 'Учебный год'), yearSelect,
        y ? h('span', { class: 'muted' }, `${ruDate(y.first_day)}–${ruDate(y.last_day)}`) : null) : h('p', {}, 'Учебных лет пока нет.'),
      terms.length ? h('table', { class: 'list', id: 'terms-list' },
        h('thead', {}, h('tr', {}, ['Период', 'Даты', 'Классы', ''].map((t) => h('th', {}, t)))),
        h('tbody', {}, terms.map((t) => h('tr', { dataset: { term: t.id } }, h('td', {}, t.name),
          h('td', {}, `${ruDate(t.first_day)}–${ruDate(t.last_day)}`), h('td', {}, `${t.grade_from}–${t.grade_to}`),
          h('td', {}, t.closed ? 'закрыт' : 'открыт'))))) : null,
      y ? form('new-term', [['Новый период', tName], ['С', tFrom], ['По', tTo], ['Классы с', gFrom], ['по', gTo]], 'Добавить период', async () => {
        await api.write('define_term', { year: state.year, name: tName.value.trim(), first_day: tFrom.value, last_day: tTo.value,
          grade_from: Number(gFrom.value), grade_to: Number(gTo.value) });
        await refresh('years');
        return `Период «${tName.value.trim()}» добавлен`;
      }) : null,
      form('new-year', [['Новый учебный год', title], ['С', yFrom], ['По', yTo]], 'Открыть год', async () => {
        const r = await api.write('open_year', { title: title.value.trim(), first_day: yFrom.value, last_day: yTo.value });
        state.year = r.created;
        await load();
        for (const render of Object.values(renders)) await render();
        return `Учебный год ${title.value.trim()} открыт`;
      }));
  }

  // ---------------------------------------------------------------- classes
  function renderClasses() {
    const list = classesOfYear();
    const grade = input('class-grade', { type: 'number', min: 1, max: 11, value: 1 });
    const name = input('class-name', { placeholder: '1А' });
    sections.classes.replaceChildren(h('h3', {}, 'Классы'),
      list.length ? h('p', { id: 'classes-list' }, list.map((c) => h('span', { class: 'chip', dataset: { class: c.id } },
        c.name, c.curator ? h('small', {}, ` — ${staffName(c.curator)}`) : null))) : h('p', {}, 'В этом году классов нет.'),
      state.year ? form('new-class', [['Параллель', grade], ['Название', name]], 'Создать класс', async () => {
        await api.write('create_class', { year: state.year, grade: Number(grade.value), name: name.value.trim() });
        await refresh('classes', 'load', 'timetable');
        return `Класс ${name.value.trim()} создан`;
      }) : null);
  }

  // ---------------------------------------------------------------- subjects and work types
  function renderSubjects() {
    const sName = input('subject-name', { placeholder: 'Астрономия' }), sShort = input('subject-short', { placeholder: 'астр', maxlength: 8 });
    const wName = input('work-type-name', { placeholder: 'Проект' }), wWeight = input('work-type-weight', { type: 'number', min: 1, max: 5, value: 1 });
    const subjects = [...data.subjects].sort((a, b) => collator.compare(a.name, b.name));
    sections.subjects.replaceChildren(h('h3', {}, 'Предметы и виды работ'),
      h('p', { id: 'subjects-list' }, subjects.map((s) => h('span', { class: 'chip' }, s.name, h('small', {}, ` (${s.short_name})`)))),
      form('new-subject', [['Предмет', sName], ['Сокращение', sShort]], 'Добавить предмет', async () => {
        await api.write('create_subject', { name: sName.value.trim(), short_name: sShort.value.trim() });
        await refresh('subjects', 'load');
        return `Предмет «${sName.value.trim()}» добавлен`;
      }),
      h('table', { class: 'list', id: 'work-types-list' }, h('thead', {}, h('tr', {}, h('th', {}, 'Вид работы'), h('th', {}, 'Вес'))),
        h('tbody', {}, data.workTypes.map((w) => h('tr', {}, h('td', {}, w.name), h('td', {}, w.weight))))),
      form('new-work-type', [['Вид работы', wName], ['Вес отметки', wWeight]], 'Добавить вид работы', async () => {
        await api.write('define_work_type', { name: wName.value.trim(), weight: Number(wWeight.value) });
        await refresh('subjects');
        return `Вид работы «${wName.value.trim()}» добавлен`;
      }));
  }

  // ---------------------------------------------------------------- the teaching load of a class
  function classPicker(id, onChange) {
    const list = classesOfYear();
    if (!list.some((c) => c.id === state.classId)) state.classId = list[0]?.id ?? 0;
    const s = select(id, list.map((c) => [c.id, c.name]), state.classId);
    s.addEventListener('change', async () => { state.classId = Number(s.value); await onChange(); });
    return s;
  }
  const groupLabel = (groups, g) => (g === 0 ? 'весь класс' : groups.find((x) => x.id === g)?.name ?? `группа ${g}`);

  async function renderLoad() {
    const picker = classPicker('load-class', async () => { await renderLoad(); await renderTimetable(); });
    if (!state.classId) { sections.load.replaceChildren(h('h3', {}, 'Нагрузка учителей'), h('p', {}, 'Сначала создайте класс.')); return; }
    const [assignments, groups] = await Promise.all([api.callAll('roster.assignments'), api.call('roster.groups', { class_id: state.classId })]);
    const mine = assignments.filter((a) => a.class_id === state.classId && !a.ended)
      .sort((a, b) => collator.compare(subjectName(a.subject), subjectName(b.subject)) || a.group - b.group);
    const teacher = select('load-teacher', data.teachers.map((t) => [t.id, t.name]));
    const subject = select('load-subject', [...data.subjects].sort((a, b) => collator.compare(a.name, b.name)).map((s) => [s.id, s.name]));
    const group = select('load-group', [[0, 'весь класс'], ...groups.map((g) => [g.id, g.name])]);
    sections.load.replaceChildren(h('h3', {}, 'Нагрузка учителей'),
      h('div', { class: 'toolbar' }, h('label', { for: 'load-class' }, 'Класс'), picker),
      h('table', { class: 'list', id: 'load-list' },
        h('thead', {}, h('tr', {}, ['Предмет', 'Группа', 'Учитель', ''].map((t) => h('th', {}, t)))),
        h('tbody', {}, mine.map((a) => h('tr', { dataset: { assignment: a.id } }, h('td', {}, subjectName(a.subject)),
          h('td', {}, groupLabel(groups, a.group)), h('td', {}, staffName(a.teacher)),
          h('td', {}, h('button', { type: 'button', class: 'link end', onclick: async (e) => {
            const reason = prompt(`Снять ${staffName(a.teacher)} с предмета «${subjectName(a.subject)}»? Причина:`, 'смена учителя');
            if (!reason) return;
            try {
              await api.write('end_assignment', { assignment: a.id, reason });
              await renderLoad();
            } catch (err) { e.target.replaceWith(h('span', { class: 'error' }, err.message)); }
          } }, 'снять'))))),
      ),
      form('new-assignment', [['Учитель', teacher], ['Предмет', subject], ['Группа', group]], 'Назначить', async () => {
        await api.write('assign_teacher', { teacher: Number(teacher.value), class_id: state.classId, group: Number(group.value), subject: Number(subject.value) });
        await renderLoad();
        await renderTimetable();
        return `${staffName(Number(teacher.value))} ведёт «${subjectName(Number(subject.value))}»`;
      }));
  }

  // ---------------------------------------------------------------- the timetable grid of a class
  async function renderTimetable() {
    const y = yearOf();
    if (!state.classId || !y) { sections.timetable.replaceChildren(h('h3', {}, 'Расписание'), h('p', {}, 'Сначала создайте класс.')); return; }
    const picker = classPicker('timetable-class', async () => { await renderLoad(); await renderTimetable(); });
    const [entries, assignments, groups] = await Promise.all([api.call('roster.timetable', { class_id: state.classId }),
      api.callAll('roster.assignments'), api.call('roster.groups', { class_id: state.classId })]);
    const mine = assignments.filter((a) => a.class_id === state.classId && !a.ended);
    const shortName = (id) => data.subjects.find((s) => s.id === id)?.short_name || subjectName(id);
    const result = h('p', { class: 'result', id: 'timetable-result', role: 'status' });
    const say = (text, bad = false) => { result.className = bad ? 'result error' : 'result'; result.textContent = text; };
    const cell = (weekday, period) => {
      const here = entries.filter((e) => e.weekday === weekday && e.period === period);
      const add = select(`tt-${weekday}-${period}`, [['', '+'], ...mine.map((a) => [a.id, `${shortName(a.subject)}${a.group ? `, ${groupLabel(groups, a.group)}` : ''} — ${staffName(a.teacher)}`])]);
      add.required = false;
      add.setAttribute('aria-label', `${WEEKDAYS[weekday - 1]}, ${period}-й урок: добавить`);
      add.addEventListener('change', async () => {
        if (!add.value) return;
        try {
          await api.write('set_timetable_entry', { assignment: Number(add.value), weekday, period, first_day: y.first_day, last_day: y.last_day });
          say(`Добавлено: ${WEEKDAYS[weekday - 1]}, ${period}-й урок`);
          await renderTimetable();
        } catch (err) { add.value = ''; say(err.message, true); }
      });
      return h('td', { dataset: { weekday, period } },
        here.map((e) => h('div', { class: 'entry', dataset: { entry: e.id } }, h('strong', {}, shortName(e.subject)),
          e.group ? h('small', {}, ` ${groupLabel(groups, e.group)}`) : null, h('br'), h('small', {}, staffName(e.teacher)),
          h('button', { type: 'button', class: 'link remove', title: 'Убрать из расписания', onclick: async () => {
            try {
              await api.write('remove_timetable_entry', { entry: e.id });
              say(`Убрано: ${WEEKDAYS[weekday - 1]}, ${period}-й урок`);
              await renderTimetable();
            } catch (err) { say(err.message, true); }
          } }, '×'))),
        mine.length ? add : null);
    };
    // Lessons are made from every class's timetable at once (lessons already made are kept): by default for the
    // coming month of the year.
    const start = today > y.first_day ? today : y.first_day;
    const from = input('schedule-first', { type: 'date', value: start });
    const to = input('schedule-last', { type: 'date', value: addDays(start, 30) < y.last_day ? addDays(start, 30) : y.last_day });
    sections.timetable.replaceChildren(h('h3', {}, 'Расписание на неделю'),
      h('div', { class: 'toolbar' }, h('label', { for: 'timetable-class' }, 'Класс'), picker),
      h('div', { class: 'grid-wrap' }, h('table', { class: 'grid timetable', id: 'timetable-grid' },
        h('thead', {}, h('tr', {}, h('th', {}, 'Урок'), WEEKDAYS.map((d) => h('th', {}, d)))),
        h('tbody', {}, PERIODS.map((p) => h('tr', {}, h('th', {}, `${p}`), WEEKDAYS.map((_, i) => cell(i + 1, p))))))),
      result,
      form('schedule-form', [['Уроки всех классов с', from], ['по', to]], 'Создать уроки по расписанию', async () => {
        // The domain takes at most 31 days a command: a longer period goes month by month.
        if (!from.value || !to.value || to.value < from.value) throw new Error('Укажите период: начало не позже конца');
        // A month with nothing to add (`conflict`: all made already, or holidays) is skipped.
        let made = 0;
        for (let first = from.value; first <= to.value; first = addDays(first, 31)) {
          const last = addDays(first, 30) < to.value ? addDays(first, 30) : to.value;
          try {
            made += (await api.write('schedule_from_timetable', { first_day: first, last_day: last })).count;
          } catch (err) {
            if (err.code === 'conflict') continue;
            throw new Error(`${made ? `Создано уроков: ${made}; ` : ''}с ${ruDate(first)}: ${err.message}`);
          }
        }
        return made ? `Создано уроков: ${made}` : 'Новых уроков нет: все уроки этого периода уже в журнале (или это каникулы)';
      }));
  }

  const renders = { years: renderYears, classes: renderClasses, subjects: renderSubjects, load: renderLoad, timetable: renderTimetable };
  for (const r of Object.values(renders)) await r();
  main.dataset.ready = '';
}

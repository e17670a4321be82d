// The diary: a student's week — each day's lessons with topic, homework and its due date, marks with their
// work type, attendance — and a chart of marks over time per subject. Mobile-first. A parent switches between
// their children. Live: a new mark appears without reload.
import uPlot from '/node_modules/uplot/dist/uPlot.esm.js';
import { h, ruDate, weekday, mondayOf, addDays, schoolToday, status, asOfControl, pastBanner, ATTENDANCE } from './util.js';

export async function diaryPage({ api, account, main, params }) {
  const children = account.children && account.children.length ? account.children
    : [{ id: account.user, name: account.name, class_id: account.class_id }];
  const [subjects, workTypes] = await Promise.all([api.call('roster.subjects'), api.call('roster.work_types')]);
  const subjectName = new Map(subjects.map((s) => [s.id, s.name]));
  const workName = new Map(workTypes.map((w) => [w.id, w.name]));
  const state = {
    student: Number(params.get('student')) || children[0].id,
    monday: params.get('monday') ? mondayOf(params.get('monday')) : mondayOf(schoolToday()),
    asOf: null,
    chartSubject: 0,
  };

  const childSelect = children.length > 1 ? h('select', { id: 'child' },
    children.map((c) => h('option', { value: c.id, selected: c.id === state.student }, c.name))) : null;
  const weekInput = h('input', { type: 'date', id: 'week', value: state.monday });
  const live = h('span', { class: 'live', 'aria-live': 'polite' });
  const banner = h('div');
  const days = h('div', { id: 'days' });
  // Only the pupil's own subjects: those of the lessons of the weeks shown so far (the list grows as the weeks
  // are turned), never every subject of the school.
  const ownSubjects = new Set();
  const chartSelect = h('select', { id: 'chart-subject' }, h('option', { value: 0 }, '—'));
  const fillChartSubjects = () => {
    const collator = new Intl.Collator('ru');
    chartSelect.replaceChildren(h('option', { value: 0 }, '—'), ...subjects.filter((s) => ownSubjects.has(s.id))
      .sort((a, b) => collator.compare(a.name, b.name))
      .map((s) => h('option', { value: s.id, selected: s.id === state.chartSubject }, s.name)));
  };
  const chart = h('div', { class: 'chart', id: 'chart' });
  const printCaption = h('h2', { class: 'print-only', id: 'print-caption' });  // the toolbar does not print
  main.replaceChildren(printCaption,
    h('div', { class: 'toolbar' },
      childSelect ? h('div', {}, h('label', { for: 'child' }, 'Ребёнок'), childSelect) : null,
      h('div', {}, h('label', { for: 'week' }, 'Неделя'), weekInput),
      h('button', { type: 'button', onclick: () => setWeek(addDays(state.monday, -7)) }, '← Пред.'),
      h('button', { type: 'button', onclick: () => setWeek(addDays(state.monday, 7)) }, 'След. →'),
      asOfControl((v) => { state.asOf = v; load(); }), live),
    banner, days,
    h('section', {}, h('h2', {}, 'Отметки по предмету'), h('label', { for: 'chart-subject' }, 'Предмет'), chartSelect, chart));

  function setWeek(iso) {
    state.monday = mondayOf(iso);
    weekInput.value = state.monday;
    load();
  }
  weekInput.addEventListener('change', () => weekInput.value && setWeek(weekInput.value));
  chartSelect.addEventListener('change', () => { state.chartSubject = Number(chartSelect.value); drawChart(); });
  if (childSelect) childSelect.addEventListener('change', async () => {
    state.student = Number(childSelect.value);
    ownSubjects.clear();  // another child, other subjects
    state.chartSubject = 0;
    await api.unsubscribeAll();
    await follow();
    await load();
    await drawChart();
  });

  function marksOf(cell) {
    const out = [];
    if (cell.attendance) out.push(h('span', { class: 'mark att' }, ATTENDANCE[cell.attendance] || cell.attendance));
    for (const m of cell.marks)
      out.push(h('span', { class: 'mark', title: workName.get(m.work_type) || '' }, String(m.value),
        h('small', {}, ' ' + (workName.get(m.work_type) || ''))));
    return out;
  }

  async function load(changedLesson) {
    const child = children.find((c) => c.id === state.student);
    printCaption.textContent = `Дневник: ${child?.name ?? ''}, неделя ${ruDate(state.monday)}–${ruDate(addDays(state.monday, 6))}`;
    const args = { student: state.student, monday: state.monday };
    if (state.asOf) args.as_of = state.asOf;
    let week;
    try {
      week = await api.call('diary.week', args);
    } catch (err) {
      days.replaceChildren(h('p', { class: 'error', role: 'alert' }, err.message));
      return;
    }
    banner.replaceChildren(...(state.asOf ? [pastBanner(state.asOf)] : []));
    const before = ownSubjects.size;
    for (const l of week.lessons) ownSubjects.add(l.subject);
    if (ownSubjects.size !== before) fillChartSubjects();
    const byDay = new Map();
    for (const l of week.lessons) {
      if (!byDay.has(l.day)) byDay.set(l.day, []);
      byDay.get(l.day).push(l);
    }
    const out = [];
    for (let i = 0; i < 6; ++i) {
      const day = addDays(state.monday, i);
      const lessons = (byDay.get(day) || []).sort((a, b) => a.period - b.period);
      out.push(h('article', { class: 'diary-day' },
        h('h3', {}, `${weekday(day)}, ${ruDate(day)}`),
        lessons.length === 0 ? h('p', { class: 'muted' }, 'Уроков нет') :
          lessons.map((l) => h('div', { class: 'diary-lesson' + (changedLesson === l.id ? ' changed' : ''), dataset: { lesson: l.id } },
            h('span', {}, l.period),
            h('span', {}, h('strong', {}, subjectName.get(l.subject) || ''), l.held ? '' : ' (урок не состоялся)',
              l.topic ? ` — ${l.topic}` : ''),
            h('span', { class: 'marks' }, marksOf(l.cell)),
            l.homework ? h('span', { class: 'hw' }, `Д/з: ${l.homework}`, l.homework_due ? ` (к ${ruDate(l.homework_due)})` : '') : null))));
    }
    if (week.term_marks && week.term_marks.length)
      out.push(h('article', { class: 'diary-day', id: 'term-marks' }, h('h3', {}, 'Отметки за период'),
        week.term_marks.map((t) => h('div', { class: 'diary-lesson' }, h('span', {}), h('span', {}, subjectName.get(t.subject) || t.subject),
          h('span', {}, h('span', { class: 'mark' }, t.value))))));
    days.replaceChildren(...out);
  }

  let plot = null;
  const ruDayOf = (seconds) => new Date(seconds * 1000).toLocaleDateString('ru-RU', { timeZone: 'Europe/Moscow' });
  async function drawChart() {
    if (plot) { plot.destroy(); plot = null; }
    chart.replaceChildren();
    if (!state.chartSubject) return;
    const args = { student: state.student, subject: state.chartSubject };
    if (state.asOf) args.as_of = state.asOf;
    const points = await api.call('diary.chart', args);
    if (points.length === 0) { chart.append(h('p', {}, 'Отметок нет')); return; }
    const xs = points.map((p) => Date.parse(p.day + 'T12:00:00Z') / 1000);
    const ys = points.map((p) => p.value);
    const width = Math.max(280, Math.min(chart.clientWidth || 600, 900) - 16);
    plot = new uPlot({
      width, height: 220,
      scales: { y: { range: [1.5, 5.5] } },
      // Dates as a Russian reader writes them (uPlot's own are English month names).
      series: [{ label: 'Дата', value: (u, v) => (v == null ? '—' : ruDayOf(v)) },
        { label: subjectName.get(state.chartSubject), stroke: '#1f5fbf', points: { size: 6 }, value: (u, v) => (v == null ? '—' : String(v)) }],
      axes: [{ values: (u, vals) => vals.map((v) => ruDayOf(v).slice(0, 5)) }, { values: (u, v) => v.map((x) => (Number.isInteger(x) ? x : '')) }],
    }, [xs, ys], chart);
  }

  async function follow() {
    try {
      await api.subscribe('diary', { student: state.student }, async (ev) => {
        if (state.asOf) return;
        live.textContent = '● новая запись';
        setTimeout(() => { live.textContent = ''; }, 4000);
        await load(ev.lesson);
        if (state.chartSubject) await drawChart();
      });
    } catch (err) {
      status(err.message, true);
    }
  }

  await load();
  await follow();
  return async () => { await api.unsubscribeAll(); if (plot) plot.destroy(); };
}

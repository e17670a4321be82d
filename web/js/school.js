// "Школа": the director's start page (and the deputies'): the school at a glance. Today — marks and absences
// entered, lessons still without a topic or a register; a period's classes — marks, average, успеваемость and
// качество знаний, absences — as a table and a chart; and marks entered per day over the last weeks.
import uPlot from '/node_modules/uplot/dist/uPlot.esm.js';
import { h, ruDate, addDays, schoolToday, status } from './util.js';

const collator = new Intl.Collator('ru', { numeric: true });
const fmt = (x, digits = 1) => (x == null ? '—' : x.toLocaleString('ru-RU', { minimumFractionDigits: digits, maximumFractionDigits: digits }));

// A class's figures from its rows of stats.progress (one per subject and teacher).
function byClass(rows) {
  const out = new Map();
  for (const r of rows) {
    const c = out.get(r.class_id) || { class_id: r.class_id, count: 0, above2: 0, good: 0, weighted: 0, lessons: 0, missed: 0 };
    c.count += r.count;
    c.above2 += r.marks['3'] + r.marks['4'] + r.marks['5'];
    c.good += r.marks['4'] + r.marks['5'];
    c.weighted += (r.average || 0) * r.count;  // the class average weighs each subject by its marks
    c.lessons += r.lessons;
    c.missed += r.attendance.absent + r.attendance.excused + r.attendance.sick;
    out.set(r.class_id, c);
  }
  for (const c of out.values()) {
    c.average = c.count ? Math.round((c.weighted / c.count) * 100) / 100 : null;
    c.success = c.count ? Math.round((1000 * c.above2) / c.count) / 10 : null;
    c.quality = c.count ? Math.round((1000 * c.good) / c.count) / 10 : null;
  }
  return out;
}

export async function schoolPage({ api, main }) {
  const today = schoolToday();
  const [classes, terms] = await Promise.all([api.call('roster.classes'), api.call('roster.terms')]);
  const year = Math.max(0, ...terms.filter((t) => t.first_day <= today).map((t) => t.year));
  const yearClasses = classes.filter((c) => c.year === year).sort((a, b) => collator.compare(a.name, b.name));
  // The period: the quarter (of grades 1–9) today is in, or the last one begun; the reader may change it.
  const begun = terms.filter((t) => t.year === year && t.grade_from === 1 && t.first_day <= today)
    .sort((a, b) => (a.first_day < b.first_day ? -1 : 1));
  const term = begun.at(-1);
  const state = { from: term ? term.first_day : addDays(today, -30), to: today };

  const figures = h('div', { class: 'figures', id: 'today-figures' });
  const from = h('input', { type: 'date', id: 'school-from', value: state.from });
  const to = h('input', { type: 'date', id: 'school-to', value: state.to });
  const table = h('div', { id: 'school-classes' });
  const chart = h('div', { class: 'chart', id: 'school-chart' });
  const daily = h('div', { class: 'chart', id: 'school-daily' });
  main.replaceChildren(
    h('h2', {}, `Школа сегодня, ${ruDate(today)}`), figures,
    h('h2', {}, 'Классы за период'),
    h('div', { class: 'toolbar' }, h('label', { for: 'school-from' }, 'С'), from, h('label', { for: 'school-to' }, 'по'), to,
      term ? h('span', { class: 'muted' }, `(${term.name} — с ${ruDate(term.first_day)})`) : null),
    chart, table,
    h('h2', {}, 'Внесено отметок по дням'), daily);

  const plots = [];
  const keep = (p) => { plots.push(p); return p; };
  const drop = () => { while (plots.length) plots.pop().destroy(); };

  async function loadToday() {
    // Today's lessons as if the day were over (what is still to fill in), and the week before it as control
    // counts it (what is late).
    const [summary, day0, week] = await Promise.all([
      api.call('stats.summary', { from: today, to: today }),
      api.call('control.overview', { from: today, to: today, today: addDays(today, 1) }),
      api.call('control.overview', { from: addDays(today, -7), to: addDays(today, -1), today }),
    ]);
    const day = summary.days.find((d) => d.day === today) || { marks: 0, absences: 0 };
    const sum = (rows, key) => rows.reduce((n, t) => n + (Array.isArray(t[key]) ? t[key].length : t[key]), 0);
    const figure = (id, n, text, href) => h('a', { class: 'figure', id, href: href || null },
      h('strong', {}, n.toLocaleString('ru-RU')), h('span', {}, text));
    figures.replaceChildren(
      figure('fig-marks', day.marks, 'отметок внесено'),
      figure('fig-absences', day.absences, 'пропусков отмечено'),
      figure('fig-lessons', sum(day0, 'lessons'), 'уроков сегодня'),
      figure('fig-no-topic', sum(day0, 'without_topic'), 'из них ещё без темы'),
      figure('fig-no-register', sum(day0, 'register_not_taken'), 'ещё без посещаемости'),
      figure('fig-late', sum(week, 'without_topic') + sum(week, 'register_not_taken'),
        'не заполнено за прошлую неделю (тема или посещаемость)', '#/control'));
  }

  async function loadClasses() {
    drop();
    const rows = await api.call('stats.progress', { from: state.from, to: state.to });
    const figuresOf = byClass(rows);
    const shown = yearClasses.filter((c) => figuresOf.has(c.id));
    table.replaceChildren(h('table', { class: 'list' },
      h('thead', {}, h('tr', {}, ['Класс', 'Уроков', 'Отметок', 'Средний балл', 'Успеваемость, %', 'Качество знаний, %', 'Пропущено уроков']
        .map((t) => h('th', {}, t)))),
      h('tbody', {}, shown.map((c) => {
        const f = figuresOf.get(c.id);
        return h('tr', { dataset: { class: c.id } }, h('td', {}, c.name), h('td', {}, f.lessons), h('td', {}, f.count),
          h('td', {}, fmt(f.average, 2)), h('td', {}, fmt(f.success)), h('td', {}, fmt(f.quality)), h('td', {}, f.missed));
      }))));
    chart.replaceChildren();
    if (shown.length === 0) { chart.append(h('p', {}, 'За этот период отметок нет')); return; }
    const xs = shown.map((_, i) => i);
    const width = Math.max(300, Math.min(main.clientWidth || 800, 1100) - 16);
    const bars = uPlot.paths.bars({ size: [0.7, 40] });
    keep(new uPlot({
      width, height: 240, title: 'Средний балл и качество знаний по классам',
      scales: { x: { time: false, range: [-0.5, shown.length - 0.5] }, avg: { range: [2, 5] }, pct: { range: [0, 100] } },
      series: [{ label: 'Класс', value: (u, v) => (v == null ? '—' : shown[v]?.name ?? '') },
        { label: 'Средний балл', scale: 'avg', stroke: '#1f5fbf', fill: 'rgba(31,95,191,0.35)', paths: bars, points: { show: false }, value: (u, v) => fmt(v, 2) },
        { label: 'Качество, %', scale: 'pct', stroke: '#2e7d32', width: 2, points: { size: 6 }, value: (u, v) => fmt(v) }],
      axes: [{ values: (u, vals) => vals.map((v) => (Number.isInteger(v) ? shown[v]?.name ?? '' : '')), gap: 4, space: 18, incrs: [1, 2, 3, 5, 10] },
        { scale: 'avg', values: (u, vals) => vals.map((v) => fmt(v)) },
        { scale: 'pct', side: 1, grid: { show: false }, values: (u, vals) => vals.map((v) => `${v} %`) }],
    }, [xs, shown.map((c) => figuresOf.get(c.id).average), shown.map((c) => figuresOf.get(c.id).quality)], chart));
  }

  async function loadDaily() {
    const summary = await api.call('stats.summary', { from: addDays(today, -27), to: today });
    daily.replaceChildren();
    const days = summary.days.filter((d) => d.marks > 0 || d.absences > 0);
    if (days.length === 0) { daily.append(h('p', {}, 'За четыре недели записей нет')); return; }
    const xs = days.map((d) => Date.parse(d.day + 'T12:00:00Z') / 1000);
    const ruDayOf = (s) => new Date(s * 1000).toLocaleDateString('ru-RU', { timeZone: 'Europe/Moscow' });
    const width = Math.max(300, Math.min(main.clientWidth || 800, 1100) - 16);
    keep(new uPlot({
      width, height: 200,
      series: [{ label: 'День', value: (u, v) => (v == null ? '—' : ruDayOf(v)) },
        { label: 'Отметок', stroke: '#1f5fbf', width: 2, points: { size: 5 } },
        { label: 'Пропусков', stroke: '#c62828', width: 2, points: { size: 5 } }],
      axes: [{ values: (u, vals) => vals.map((v) => ruDayOf(v).slice(0, 5)) }, {}],
    }, [xs, days.map((d) => d.marks), days.map((d) => d.absences)], daily));
  }

  const change = async () => {
    if (!from.value || !to.value || to.value < from.value) { status('Укажите период: начало не позже конца', true); return; }
    Object.assign(state, { from: from.value, to: to.value });
    status('');
    await loadClasses().catch((err) => status(err.message, true));
  };
  from.addEventListener('change', change);
  to.addEventListener('change', change);
  await Promise.all([loadToday(), loadClasses(), loadDaily()]);
  main.dataset.ready = '';
  return async () => drop();
}

// "Аналитика" (deputies, director): the figures the deputies judge teaching by, as tables and uPlot charts,
// from stats.progress — a class's average and качество знаний term by term, one subject across the classes,
// and the lessons missed week by week — and a class's накопляемость (the accumulation report's table) — each
// as of any date.
import uPlot from '/node_modules/uplot/dist/uPlot.esm.js';
import { h, addDays, mondayOf, schoolToday, asOfControl, pastBanner } from './util.js';

const collator = new Intl.Collator('ru', { numeric: true });
const fmt = (x, digits = 1) => (x == null ? '—' : x.toLocaleString('ru-RU', { minimumFractionDigits: digits, maximumFractionDigits: digits }));

// Sums stats.progress rows: marks by value, their weighted average, and the shares.
function sum(rows) {
  const t = { marks: { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 }, weighted: 0, count: 0, missed: 0 };
  for (const r of rows) {
    for (const v of [1, 2, 3, 4, 5]) t.marks[v] += r.marks[String(v)];
    t.count += r.count;
    t.weighted += (r.average || 0) * r.count;
    t.missed += r.attendance.absent + r.attendance.excused + r.attendance.sick;
  }
  t.average = t.count ? Math.round((t.weighted / t.count) * 100) / 100 : null;
  t.quality = t.count ? Math.round((1000 * (t.marks[4] + t.marks[5])) / t.count) / 10 : null;
  t.success = t.count ? Math.round((1000 * (t.marks[3] + t.marks[4] + t.marks[5])) / t.count) / 10 : null;
  return t;
}

export async function analyticsPage({ api, main }) {
  const today = schoolToday();
  const [classes, terms, subjects] = await Promise.all([api.call('roster.classes'), api.call('roster.terms'), api.call('roster.subjects')]);
  const year = Math.max(0, ...terms.filter((t) => t.first_day <= today).map((t) => t.year));
  const yearClasses = classes.filter((c) => c.year === year).sort((a, b) => collator.compare(a.name, b.name));
  const className = new Map(classes.map((c) => [c.id, c.name]));
  const yearTerms = terms.filter((t) => t.year === year).sort((a, b) => (a.first_day < b.first_day ? -1 : 1));
  const yearStart = yearTerms[0]?.first_day ?? addDays(today, -90);
  const state = { asOf: null, classId: yearClasses.find((c) => c.name === '5А')?.id ?? yearClasses[0]?.id, subject: subjects[0]?.id };
  // One chart per section, replaced only once its new figures are in (no empty box while they load).
  const plots = {};
  const drop = () => { for (const k of Object.keys(plots)) { plots[k].destroy(); delete plots[k]; } };
  const withAsOf = (args) => (state.asOf ? { ...args, as_of: state.asOf } : args);
  const width = () => Math.max(300, Math.min(main.clientWidth || 800, 1000) - 16);
  const until = () => (state.asOf ? state.asOf.slice(0, 10) : today);

  const banner = h('div');
  const classSelect = h('select', { id: 'an-class' }, yearClasses.map((c) => h('option', { value: c.id, selected: c.id === state.classId }, c.name)));
  const subjectSelect = h('select', { id: 'an-subject' }, [...subjects].sort((a, b) => collator.compare(a.name, b.name))
    .map((s) => h('option', { value: s.id, selected: s.id === state.subject }, s.name)));
  const byTerm = h('div', { id: 'an-by-term' }), byClass = h('div', { id: 'an-by-class' }), byWeek = h('div', { id: 'an-by-week' });
  const accumulation = h('div', { id: 'an-accumulation' });
  main.replaceChildren(h('h2', {}, 'Аналитика'),
    h('div', { class: 'toolbar' }, asOfControl(async (v) => { state.asOf = v; await load(); })), banner,
    h('section', { class: 'setup' }, h('h3', {}, 'Класс по учебным периодам'),
      h('div', { class: 'toolbar' }, h('label', { for: 'an-class' }, 'Класс'), classSelect), byTerm,
      h('h3', {}, 'Накопляемость отметок за текущий период'), accumulation),
    h('section', { class: 'setup' }, h('h3', {}, 'Предмет по классам (учебный год)'),
      h('div', { class: 'toolbar' }, h('label', { for: 'an-subject' }, 'Предмет'), subjectSelect), byClass),
    h('section', { class: 'setup' }, h('h3', {}, 'Пропуски уроков по неделям (вся школа)'), byWeek));

  const chart = (key, box, opts, data) => {
    if (plots[key]) plots[key].destroy();
    plots[key] = new uPlot({ width: width(), height: 220, ...opts }, data, box);
  };
  const bars = () => uPlot.paths.bars({ size: [0.6, 60] });
  const table = (heads, rows) => h('div', { class: 'scroll-x' }, h('table', { class: 'list' },
    h('thead', {}, h('tr', {}, heads.map((t) => h('th', {}, t)))), h('tbody', {}, rows)));

  async function loadTerms() {
    const grade = classes.find((c) => c.id === state.classId)?.grade ?? 0;
    const all = yearTerms.filter((t) => grade >= t.grade_from && grade <= t.grade_to);
    const begun = all.filter((t) => t.first_day <= until());
    const figures = await Promise.all(begun.map(async (t) => sum(await api.call('stats.progress',
      withAsOf({ from: t.first_day, to: t.last_day < until() ? t.last_day : until(), class_id: state.classId })))));
    byTerm.replaceChildren(table(['Период', 'Отметок', 'Средний балл', 'Успеваемость, %', 'Качество знаний, %', 'Пропущено уроков'],
      begun.map((t, i) => h('tr', { dataset: { term: t.id } }, h('td', {}, t.name), h('td', {}, figures[i].count), h('td', {}, fmt(figures[i].average, 2)),
        h('td', {}, fmt(figures[i].success)), h('td', {}, fmt(figures[i].quality)), h('td', {}, figures[i].missed)))));
    if (begun.length === 0) return;
    const box = h('div', { class: 'chart' });
    byTerm.append(box);
    // Every term of the year on the axis (those to come empty), so that one term's bar has a width.
    const value = (f) => all.map((t, i) => (i < figures.length ? f(figures[i]) : null));
    chart('term', box, {
      scales: { x: { time: false, range: [-0.5, all.length - 0.5] }, pct: { range: [0, 100] } },
      series: [{ label: 'Период', value: (u, v) => all[v]?.name ?? '' },
        { label: 'Качество знаний, %', scale: 'pct', stroke: '#2e7d32', fill: 'rgba(46,125,50,0.3)', paths: bars(), points: { show: false }, value: (u, v) => fmt(v) },
        { label: 'Успеваемость, %', scale: 'pct', stroke: '#1f5fbf', width: 2, points: { size: 6 }, value: (u, v) => fmt(v) }],
      axes: [{ values: (u, vals) => vals.map((v) => (Number.isInteger(v) ? all[v]?.name ?? '' : '')), incrs: [1] },
        { scale: 'pct', values: (u, vals) => vals.map((v) => `${v} %`) }],
    }, [all.map((_, i) => i), value((f) => f.quality), value((f) => f.success)]);
  }

  // The accumulation report's table (report.make, json): each pupil's marks per subject, too few flagged; and
  // how many pupils have too few in each subject, as a chart.
  async function loadAccumulation() {
    const klass = className.get(state.classId);
    const r = await api.call('report.make', withAsOf({ kind: 'accumulation', format: 'json', class: klass, min_marks: 3 }));
    const t = r.tables[0];
    accumulation.replaceChildren();
    if (!t) { accumulation.append(h('p', {}, 'Учебный период ещё не начался.')); return; }
    const flagged = new Set(t.flagged.map(([row, col]) => `${row}:${col}`));
    accumulation.append(h('p', { class: 'muted' }, t.caption),
      h('div', { class: 'scroll-x' }, h('table', { class: 'list accumulation' },
        h('thead', {}, h('tr', {}, t.header[0].map((x) => h('th', {}, x)))),
        h('tbody', {}, t.rows.map((row, ri) => h('tr', {}, row.map((x, ci) => h('td', { class: flagged.has(`${ri}:${ci}`) ? 'few' : null }, x))))))));
    const subjects = t.header[0].slice(2);
    const few = subjects.map((_, i) => t.flagged.filter(([, col]) => col === i + 2).length);
    const box = h('div', { class: 'chart' });
    accumulation.append(box, ...t.notes.map((n) => h('p', { class: 'muted', id: 'an-accumulation-note' }, n)));
    chart('accumulation', box, {
      scales: { x: { time: false, range: [-0.5, subjects.length - 0.5] } },
      series: [{ label: 'Предмет', value: (u, v) => subjects[v] ?? '' },
        { label: 'Учеников с недостатком отметок', stroke: '#b3261e', fill: 'rgba(179,38,30,0.3)', paths: bars(), points: { show: false } }],
      axes: [{ values: (u, vals) => vals.map((v) => (Number.isInteger(v) ? subjects[v] ?? '' : '')), space: 18, incrs: [1, 2, 3] }, {}],
    }, [subjects.map((_, i) => i), few]);
  }

  async function loadSubject() {
    const rows = (await api.call('stats.progress', withAsOf({ from: yearStart, to: until() }))).filter((r) => r.subject === state.subject);
    const ids = [...new Set(rows.map((r) => r.class_id))].sort((a, b) => collator.compare(className.get(a) ?? '', className.get(b) ?? ''));
    const figures = ids.map((id) => sum(rows.filter((r) => r.class_id === id)));
    byClass.replaceChildren(ids.length === 0 ? h('p', {}, 'Предмет в этом году не преподаётся или отметок нет.') :
      table(['Класс', 'Отметок', 'Средний балл', 'Успеваемость, %', 'Качество знаний, %'],
        ids.map((id, i) => h('tr', { dataset: { class: id } }, h('td', {}, className.get(id)), h('td', {}, figures[i].count),
          h('td', {}, fmt(figures[i].average, 2)), h('td', {}, fmt(figures[i].success)), h('td', {}, fmt(figures[i].quality))))));
    if (ids.length === 0) return;
    const box = h('div', { class: 'chart' });
    byClass.append(box);
    chart('subject', box, {
      scales: { x: { time: false, range: [-0.5, ids.length - 0.5] }, avg: { range: [2, 5] } },
      series: [{ label: 'Класс', value: (u, v) => className.get(ids[v]) ?? '' },
        { label: 'Средний балл', scale: 'avg', stroke: '#1f5fbf', fill: 'rgba(31,95,191,0.35)', paths: bars(), points: { show: false }, value: (u, v) => fmt(v, 2) }],
      axes: [{ values: (u, vals) => vals.map((v) => (Number.isInteger(v) ? className.get(ids[v]) ?? '' : '')), space: 18, incrs: [1, 2, 3, 5] },
        { scale: 'avg', values: (u, vals) => vals.map((v) => fmt(v)) }],
    }, [ids.map((_, i) => i), figures.map((f) => f.average)]);
  }

  async function loadWeeks() {
    const weeks = [];
    for (let monday = mondayOf(yearStart); monday <= until(); monday = addDays(monday, 7)) weeks.push(monday);
    const figures = await Promise.all(weeks.map(async (m) => sum(await api.call('stats.progress', withAsOf({ from: m, to: addDays(m, 6) })))));
    byWeek.replaceChildren();
    const box = h('div', { class: 'chart' });
    byWeek.append(box, h('p', { class: 'muted', id: 'an-weeks-total' },
      `Всего за ${weeks.length} нед.: пропущено уроков — ${figures.reduce((n, f) => n + f.missed, 0).toLocaleString('ru-RU')}`));
    const xs = weeks.map((m) => Date.parse(m + 'T12:00:00Z') / 1000);
    const ruDayOf = (s) => new Date(s * 1000).toLocaleDateString('ru-RU', { timeZone: 'Europe/Moscow' });
    chart('week', box, {
      scales: { x: { range: (u, min, max) => [min - 4 * 86400, max + 4 * 86400] } },  // whole bars at both ends
      series: [{ label: 'Неделя', value: (u, v) => (v == null ? '—' : `с ${ruDayOf(v)}`) },
        { label: 'Пропущено уроков', stroke: '#c62828', fill: 'rgba(198,40,40,0.25)', paths: bars(), points: { show: false } }],
      axes: [{ values: (u, vals) => vals.map((v) => ruDayOf(v).slice(0, 5)) }, {}],
    }, [xs, figures.map((f) => f.missed)]);
  }

  // `data-ready` names what is shown (as of, class, subject) once all three sections are.
  const shown = () => `${state.asOf || 'now'}:${state.classId}:${state.subject}`;
  async function load(parts = [loadTerms, loadAccumulation, loadSubject, loadWeeks]) {
    banner.replaceChildren(...(state.asOf ? [pastBanner(state.asOf)] : []));
    await Promise.all(parts.map((f) => f()));
    main.dataset.ready = shown();
  }
  classSelect.addEventListener('change', async () => { state.classId = Number(classSelect.value); await load([loadTerms, loadAccumulation]); });
  subjectSelect.addEventListener('change', async () => { state.subject = Number(subjectSelect.value); await load([loadSubject]); });
  await load();
  return async () => drop();
}


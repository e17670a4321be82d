// "Отчёты": the documents a school prints (report.make): the class journal, the сводная ведомость,
// успеваемость and качество, attendance — as PDF, XLSX or CSV, made by the server and saved by the browser,
// now or as of a past date. Every page of them names the log record it reflects; "Проверить отметку на
// бумаге" checks such a record (verify.digest). Deputies and the director may make every report; a curator
// those of their class; a teacher the journal of their classes and subjects.
import { h, asOfControl } from './util.js';

// Each kind, and who is offered it: every kind for the deputies and the director (`all`).
const KINDS = [
  ['journal', 'Классный журнал (предмет, период)', 'class'],
  ['summary', 'Сводная ведомость', 'class'],
  ['progress', 'Успеваемость и качество знаний', 'class'],
  ['attendance', 'Посещаемость', 'class'],
  ['accumulation', 'Накопляемость отметок', 'class'],
  ['timeliness', 'Своевременность заполнения журнала', 'all'],
  ['register', 'Пропущенные и заменённые уроки', 'all'],
  ['timesheet', 'Табель учителей (за месяц)', 'all'],
  ['usage', 'Работа в журнале (администратору)', 'admin'],
];
const WITH_DATES = ['progress', 'attendance', 'accumulation', 'timeliness', 'register', 'timesheet', 'usage'];
const FORMATS = [['pdf', 'PDF (печать)'], ['xlsx', 'Excel (XLSX)'], ['csv', 'CSV']];

// The bytes of a base64 string.
function bytesOf(b64) {
  const text = atob(b64);
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; ++i) out[i] = text.charCodeAt(i);
  return out;
}

export async function reportsPage({ api, main, account, isManager, has }) {
  // The administrator: only the usage report, of the whole school.
  const [classes, subjects, assignments] = await Promise.all([
    api.call('roster.classes'), api.call('roster.subjects'),
    has('teacher') ? api.callAll('roster.assignments', { teacher: account.user }) : Promise.resolve([])]);
  const collator = new Intl.Collator('ru', { numeric: true });
  const year = Math.max(0, ...classes.map((c) => c.year));
  // The classes this reader may report on: every one for the deputies and the director.
  const mine = new Set([...(account.curator_of || []), ...assignments.filter((a) => !a.ended).map((a) => a.class_id)]);
  const shown = classes.filter((c) => c.year === year && (isManager || mine.has(c.id))).sort((a, b) => collator.compare(a.name, b.name));
  const offered = KINDS.filter(([, , who]) => isManager || (who === 'class' && (has('teacher') || has('curator'))) ||
    (who === 'admin' && has('administrator')));
  const kind = h('select', { id: 'report-kind' }, offered.map(([v, t]) => h('option', { value: v }, t)));
  const klass = h('select', { id: 'report-class' }, isManager ? h('option', { value: '' }, 'все классы') : null,
    shown.map((c) => h('option', { value: c.name }, c.name)));
  const subject = h('select', { id: 'report-subject' }, h('option', { value: '' }, 'все предметы'),
    [...subjects].sort((a, b) => collator.compare(a.name, b.name)).map((s) => h('option', { value: s.name }, s.name)));
  const term = h('select', { id: 'report-term' }, h('option', { value: '0' }, 'весь год'),
    [1, 2, 3, 4].map((n) => h('option', { value: n }, `${n}-й период`)));
  const from = h('input', { id: 'report-from', type: 'date' });
  const to = h('input', { id: 'report-to', type: 'date' });
  const format = h('select', { id: 'report-format' }, FORMATS.map(([v, t]) => h('option', { value: v }, t)));
  const school = h('input', { id: 'report-school', placeholder: 'МБОУ «Гимназия № 1»', value: localStorage.getItem('ejournal.school') || '' });
  const result = h('div', { id: 'report-result', role: 'status' });
  let asOf = null;
  const asOfBox = asOfControl((v) => { asOf = v; });
  const field = (label, el) => h('div', { class: 'field' }, h('label', { for: el.id }, label), el);
  const dates = h('div', { class: 'report-dates' }, field('С', from), field('По', to));
  const sync = () => { dates.hidden = !WITH_DATES.includes(kind.value); };
  kind.addEventListener('change', sync);
  sync();

  const form = h('form', { id: 'report-form', class: 'setup-form' },
    field('Отчёт', kind), field('Класс', klass), field('Предмет', subject), field('Период', term), dates,
    field('Формат', format), field('Школа (на страницах)', school), h('div', { class: 'field' }, asOfBox),
    h('div', { class: 'field' }, h('button', { type: 'submit' }, 'Сформировать')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    result.className = '';
    result.textContent = 'Формируется…';
    localStorage.setItem('ejournal.school', school.value.trim());
    const args = { kind: kind.value, format: format.value, class: klass.value, subject: subject.value, term: Number(term.value),
      school: school.value.trim() };
    if (!dates.hidden && from.value) args.from = from.value;
    if (!dates.hidden && to.value) args.to = to.value;
    if (asOf) args.as_of = asOf;
    try {
      const r = await api.call('report.make', args);
      const url = URL.createObjectURL(new Blob([bytesOf(r.data)], { type: r.content_type }));
      const link = h('a', { href: url, download: r.name, id: 'report-download' }, `Скачать ${r.name}`);
      result.replaceChildren(h('p', {}, `${r.title}, ${r.period}: ${(r.bytes / 1024).toFixed(0)} КБ. `, link),
        h('p', { class: 'muted' }, `На каждой странице — запись журнала ${r.digest}: по ней бумагу можно сверить с журналом.`));
      link.click();
    } catch (err) {
      result.className = 'error';
      result.textContent = err.message;
    }
  });

  // Checking a printout: the record it names must be in this journal's history.
  const digest = h('input', { id: 'digest', size: 70, required: true, placeholder: '501826:6cab…' });
  const verdict = h('p', { id: 'digest-verdict', role: 'status' });
  const check = h('form', { id: 'digest-form', class: 'setup-form' }, field('Запись журнала с бумаги (ПОЗИЦИЯ:ХЕШ)', digest),
    h('div', { class: 'field' }, h('button', { type: 'submit' }, 'Проверить')));
  check.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const r = await api.call('verify.digest', { digest: digest.value.trim().toLowerCase() });
      verdict.className = r.in_log ? 'ok' : 'error';
      verdict.textContent = r.in_log ? `Да: ${r.reason}.` : `Нет: ${r.reason}.`;
    } catch (err) {
      verdict.className = 'error';
      verdict.textContent = err.message;
    }
  });
  main.replaceChildren(h('h2', {}, 'Отчёты'),
    h('section', { class: 'setup' }, h('h3', {}, 'Сформировать отчёт'), form, result),
    ...(isManager || has('administrator') ? [h('section', { class: 'setup' }, h('h3', {}, 'Проверить отметку на бумаге'), check, verdict)] : []));
  main.dataset.ready = '';
}

// The journal grid: students down, lessons across (date, topic and homework above each column), marks and
// attendance in the cells, the weighted average and the term mark at the end. Works from the keyboard like
// a spreadsheet: arrows move; 5/4/3/2 or Н/УП/Б/ОП then Enter (or an arrow, or Tab) set the cell; Delete
// removes (with a reason); Escape cancels. A mark clicked opens its correction (with a reason); on a phone a
// tapped cell opens a picker. In a closed term every change becomes a correction request to the deputy.
// A deputy or director can open any cell's history. Live: other people's changes appear.
import { h, ruDate, schoolToday, status, asOfControl, pastBanner, ATTENDANCE, ATTENDANCE_BY_LETTER } from './util.js';
import { showCellHistory } from './history.js';

const MARK_KEYS = new Set(['2', '3', '4', '5']);
const LETTERS = new Set(['Н', 'У', 'П', 'Б', 'О', 'н', 'у', 'п', 'б', 'о']);
// Keys a teacher may type by mistake for a mark: refused with a message rather than ignored or misread.
const NOT_MARKS = new Set(['0', '1', '6', '7', '8', '9', '-', '+', '.', ',']);
const TERM_VALUES = ['5', '4', '3', '2', 'н/а', 'зач', 'незач', 'осв'];
// The attestation columns after the lessons: the page's term's mark, the year's, and in the graduating grades
// (9, 11) the examination's and the final (certificate) mark. Each is set and replaced (with a reason) here.
const ATTESTATIONS = [
  { kind: 'term', field: 'term_mark', css: 'term-mark', word: 'за период' },
  { kind: 'year', field: 'year_mark', css: 'year-mark', title: 'Год', word: 'годовая' },
  { kind: 'exam', field: 'exam_mark', css: 'exam-mark', title: 'Экз.', word: 'экзаменационная', grades: [9, 11] },
  { kind: 'final', field: 'final_mark', css: 'final-mark', title: 'Итог', word: 'итоговая', grades: [9, 11] },
];

// "Контрольная работа" → "К/р", "Самостоятельная работа" → "С/р", "Диктант" → "Дикт.".
export function workTypeShort(name) {
  const words = name.split(/\s+/).filter(Boolean);
  if (words.length > 1) return words[0][0].toUpperCase() + '/' + words[1][0].toLowerCase();
  return name.length > 5 ? name.slice(0, 4) + '.' : name;
}

export async function journalPage({ api, account, main, params, isManager }) {
  const [assignments, subjects, classes, terms, workTypes] = await Promise.all([
    api.callAll('roster.assignments', isManager ? {} : { teacher: account.user }),
    api.call('roster.subjects'), api.call('roster.classes'), api.call('roster.terms'), api.call('roster.work_types'),
  ]);
  const subjectName = new Map(subjects.map((s) => [s.id, s.name]));
  const workTypeById = new Map(workTypes.map((w) => [w.id, w]));
  const defaultWorkType = workTypes.length ? workTypes[0].id : 0;
  const termById = new Map(terms.map((t) => [t.id, t]));
  const touch = window.matchMedia('(pointer: coarse)').matches;
  const classById = new Map(classes.map((c) => [c.id, c]));
  const mine = assignments.filter((a) => !a.ended);

  const state = {
    classId: Number(params.get('class')) || (mine[0] && mine[0].class_id),
    group: Number(params.get('group')) || (mine[0] && !params.get('class') ? mine[0].group : 0),
    subject: Number(params.get('subject')) || (mine[0] && mine[0].subject),
    term: Number(params.get('term')) || 0,
    workType: workTypes.length ? workTypes[0].id : 1,
    asOf: null,
    page: null,
    names: new Map(),
    focus: { row: 0, col: 0 },
    subscription: null,
  };
  if (!state.classId) {
    main.replaceChildren(h('p', {}, 'У вас нет журналов.'));
    return async () => {};
  }
  const termsFor = (classId) => {
    const grade = classById.get(classId)?.grade ?? 0;
    const year = classById.get(classId)?.year ?? 0;
    return terms.filter((t) => t.year === year && grade >= t.grade_from && grade <= t.grade_to);
  };
  const attestations = () => ATTESTATIONS.filter((a) => !a.grades || a.grades.includes(classById.get(state.classId)?.grade));
  const termTitle = () => (/полугодие/i.test(terms.find((t) => t.id === state.term)?.name || '') ? 'Полуг.' : 'Четв.');
  if (!state.term) {
    // The term today is in; in the holidays, the one that ended last.
    const today = schoolToday();
    const ts = termsFor(state.classId);
    const begun = ts.filter((t) => t.first_day <= today).sort((x, y) => (x.first_day < y.first_day ? -1 : 1));
    state.term = (begun.at(-1) || ts[0] || { id: 1 }).id;
  }

  // Toolbar: which journal (a class first, then its subject and group), which term, which work type, "as of".
  const collator = new Intl.Collator('ru', { numeric: true });
  const classIds = [...new Set(mine.map((a) => a.class_id).concat([state.classId]))]
    .sort((x, y) => collator.compare(classById.get(x)?.name ?? '', classById.get(y)?.name ?? ''));
  const classSelect = h('select', { id: 'journal-class' }, classIds.map((id) =>
    h('option', { value: id, selected: id === state.classId }, classById.get(id)?.name ?? `класс ${id}`)));
  // Study groups by name, so that two groups of one subject can be told apart (where the caller may read them).
  let groupName = new Map();
  try {
    groupName = new Map((await api.call('roster.groups', { class_id: state.classId })).map((g) => [g.id, g.name]));
  } catch { /* a subject teacher does not read the class's groups: numbered below */ }
  const journalsOfClass = mine.filter((a) => a.class_id === state.classId)
    .sort((x, y) => collator.compare(subjectName.get(x.subject) ?? '', subjectName.get(y.subject) ?? '') || x.group - y.group);
  const assignmentSelect = h('select', { id: 'assignment' },
    journalsOfClass.map((a) => h('option', { value: `${a.class_id}:${a.group}:${a.subject}`,
      selected: a.group === state.group && a.subject === state.subject },
      `${subjectName.get(a.subject) ?? a.subject}${a.group ? ` — ${groupName.get(a.group) ?? 'группа ' + a.group}` : ''}`)));
  if (![...assignmentSelect.options].some((o) => o.selected))
    assignmentSelect.prepend(h('option', { value: `${state.classId}:${state.group}:${state.subject}`, selected: true },
      `${subjectName.get(state.subject) ?? state.subject}${state.group ? ` — ${groupName.get(state.group) ?? 'группа ' + state.group}` : ''}`));
  classSelect.addEventListener('change', () => {
    const first = mine.filter((a) => a.class_id === Number(classSelect.value))
      .sort((x, y) => collator.compare(subjectName.get(x.subject) ?? '', subjectName.get(y.subject) ?? ''))[0];
    if (first) location.hash = `#/journal?class=${first.class_id}&group=${first.group}&subject=${first.subject}`;
  });
  const termSelect = h('select', { id: 'term' });
  const fillTerms = () => termSelect.replaceChildren(...termsFor(state.classId).map((t) =>
    h('option', { value: t.id, selected: t.id === state.term }, `${t.name} (${ruDate(t.first_day)}–${ruDate(t.last_day)})`)));
  fillTerms();
  const workSelect = h('select', { id: 'work-type' },
    workTypes.map((w) => h('option', { value: w.id }, `${w.name} (вес ${w.weight})`)));
  const live = h('span', { class: 'live', 'aria-live': 'polite' });
  const banner = h('div');
  const wrap = h('div', { class: 'grid-wrap' });
  // What a printed sheet says at its top (the toolbar does not print).
  const printCaption = h('h2', { class: 'print-only', id: 'print-caption' });
  const caption = () => {
    const pick = (sel) => sel.selectedOptions[0]?.textContent ?? '';
    printCaption.textContent = `Класс ${pick(classSelect)} — ${pick(assignmentSelect)} — ${pick(termSelect)}` +
      (state.asOf ? ` — на ${ruDate(state.asOf.slice(0, 10))} ${state.asOf.slice(11, 16)}` : '');
  };
  main.replaceChildren(printCaption,
    h('div', { class: 'toolbar' },
      h('div', {}, h('label', { for: 'journal-class' }, 'Класс'), classSelect),
      h('div', {}, h('label', { for: 'assignment' }, 'Предмет'), assignmentSelect),
      h('div', {}, h('label', { for: 'term' }, 'Период'), termSelect),
      h('div', {}, h('label', { for: 'work-type' }, 'Вид работы'), workSelect),
      asOfControl((v) => { state.asOf = v; load(); }), live),
    banner, wrap,
    h('p', { class: 'hint' }, touch ? 'Нажмите на клетку — выбор отметки или посещаемости; на отметку — её исправление (с причиной).' : 'Стрелки — перемещение; 5, 4, 3, 2 или Н, УП, Б, ОП и Enter (или стрелка, Tab) — запись; Delete — удалить (с причиной); Esc — отмена.',
      touch ? '' : (isManager ? ' Щелчок по клетке — её история.' : ' Щелчок по отметке — исправить или удалить её (с причиной); заголовок урока — тема, задание и «Все присутствуют».')));

  assignmentSelect.addEventListener('change', () => {
    const [c, g, s] = assignmentSelect.value.split(':').map(Number);
    location.hash = `#/journal?class=${c}&group=${g}&subject=${s}`;
  });
  termSelect.addEventListener('change', () => { state.term = Number(termSelect.value); load(); });
  workSelect.addEventListener('change', () => { state.workType = Number(workSelect.value); });

  async function loadNames() {
    try {
      const students = await api.call('roster.class', { class_id: state.classId });
      state.names = new Map(students.map((s) => [s.id, s.name]));
    } catch { state.names = new Map(); }
  }

  async function load(changed) {
    const args = { class_id: state.classId, group: state.group, subject: state.subject, term: state.term };
    if (state.asOf) args.as_of = state.asOf;
    try {
      state.page = await api.call('journal.page', args);
    } catch (err) {
      wrap.replaceChildren(h('p', { class: 'error', role: 'alert' },
        err.code === 'forbidden' ? 'Нет доступа к этому журналу.' : err.message));
      return;
    }
    banner.replaceChildren(...(state.asOf ? [pastBanner(state.asOf)] : []),
      ...(termClosed() && !state.asOf ? [h('div', { class: 'closed-banner', role: 'note' },
        'Период закрыт заместителем директора. Изменения в нём — только через запрос на исправление: ',
        'введите отметку как обычно, и журнал предложит отправить запрос.')] : []));
    render(changed);
  }

  function termClosed() { return !!termById.get(state.term)?.closed; }

  function cellText(cell) {
    const parts = [];
    if (cell.attendance) parts.push(h('span', { class: 'att' }, ATTENDANCE[cell.attendance] || cell.attendance));
    for (const m of cell.marks) {
      const w = workTypeById.get(m.work_type);
      const title = [w ? w.name : '', m.comment].filter(Boolean).join(': ');
      parts.push(h('span', { class: `m m${m.value}`, title: title || null, dataset: { mark: m.id } }, String(m.value),
        w && m.work_type !== defaultWorkType ? h('sup', {}, workTypeShort(w.name)) : null));
    }
    return parts.length ? parts.flatMap((p, i) => (i ? [' ', p] : [p])) : [''];
  }

  // The work type of a column: the one all its marks share, when that is not the everyday one.
  function columnWorkType(ci) {
    const types = new Set();
    for (const r of state.page.rows) for (const m of r.cells[ci].marks) types.add(m.work_type);
    if (types.size !== 1) return null;
    const [only] = types;
    return only === defaultWorkType ? null : workTypeById.get(only);
  }

  function render(changed) {
    caption();
    const { lessons, rows } = state.page;
    const hadFocus = wrap.contains(document.activeElement);  // keep the keyboard where it was
    const table = h('table', { class: 'grid' + (state.asOf ? ' past' : ''), role: 'grid', 'aria-label': 'Журнал' });
    table.append(h('thead', {}, h('tr', {},
      h('th', { class: 'student', scope: 'col' }, 'Ученик'),
      lessons.map((l, ci) => h('th', { scope: 'col', class: 'lesson', title: l.homework ? `Д/з: ${l.homework}` : null },
        h('span', { class: 'when' },
          canEdit() ? h('button', { type: 'button', class: 'lesson-edit', dataset: { lesson: l.id },
            'aria-label': `Тема и задание урока ${ruDate(l.day)}`, onclick: () => editLesson(l) }, ruDate(l.day).slice(0, 5))
            : canReview(l) ? h('button', { type: 'button', class: 'lesson-edit', dataset: { lesson: l.id },
              'aria-label': `Проверка домашнего задания ${ruDate(l.day)}`, onclick: () => reviewHomework(l) }, ruDate(l.day).slice(0, 5))
              : ruDate(l.day).slice(0, 5), l.held ? '' : ' ✕', l.substituted ? ' (зам.)' : ''),
        columnWorkType(ci) ? h('span', { class: 'work-type', title: columnWorkType(ci).name }, workTypeShort(columnWorkType(ci).name)) : null,
        l.review ? h('span', { class: l.review.conforms ? 'review' : 'review review-bad',
          title: `Проверка д/з: ${l.review.conforms ? 'соответствует нормам' : 'не соответствует нормам'}${l.review.comment ? ' — ' + l.review.comment : ''}` },
        l.review.conforms ? 'д/з ✓' : 'д/з ⚠') : null,
        h('span', { class: 'topic' }, l.topic || '—'),
        l.homework ? h('span', { class: 'topic' }, 'Д/з: ' + l.homework) : null)),
      h('th', { scope: 'col', class: 'average' }, 'Средний'), attestations().map((a) => h('th', { scope: 'col', class: `attestation ${a.css}` }, a.title || termTitle())))));
    const body = h('tbody');
    rows.forEach((r, ri) => {
      if (r.name) state.names.set(r.student, r.name);
      // A student who came or left during the term: a note by the name, and the cells outside greyed.
      const note = [r.joined ? `прибыл ${ruDate(r.joined)}` : '', r.left ? `выбыл ${ruDate(r.left)}` : ''].filter(Boolean).join(', ');
      const tr = h('tr', {}, h('th', { class: 'student', scope: 'row' }, state.names.get(r.student) || `№ ${r.student}`,
        note ? h('span', { class: 'membership' }, note) : null));
      r.cells.forEach((cell, ci) => {
        const lesson = lessons[ci];
        const outside = (r.joined && lesson.day < r.joined) || (r.left && lesson.day > r.left);
        const td = h('td', { class: outside ? 'cell outside' : 'cell', role: 'gridcell', tabindex: -1,
          dataset: { row: ri, col: ci, lesson: lesson.id, student: r.student },
          'aria-label': `${state.names.get(r.student) || r.student}, ${ruDate(lesson.day)}` }, cellText(cell));
        if (changed && changed.lesson === lesson.id && changed.student === r.student) td.classList.add('changed');
        tr.append(td);
      });
      tr.append(h('td', {}, r.average == null ? '' : r.average.toFixed(2)),
        ...attestations().map((a) => h('td', { class: `attestation ${a.css}` }, canEdit() ? h('button', { type: 'button', dataset: { student: r.student, kind: a.kind },
          'aria-label': `Отметка ${a.word}: ${state.names.get(r.student) || r.student}`, onclick: () => editAttestation(r, a) },
        r[a.field] ?? '—') : (r[a.field] ?? ''))));
      body.append(tr);
    });
    table.append(body);
    wrap.replaceChildren(table);
    table.addEventListener('keydown', onKey);
    table.addEventListener('click', (e) => {
      const td = e.target.closest('td.cell');
      if (!td) return;
      focusCell(Number(td.dataset.row), Number(td.dataset.col));
      if (isManager) { showCellHistory(api, Number(td.dataset.lesson), Number(td.dataset.student), state.asOf); return; }
      if (state.asOf) return;
      const markEl = e.target.closest('span.m');
      if (markEl) { editMark(td, Number(markEl.dataset.mark)); return; }
      if (touch) pickFor(td);
    });
    focusCell(state.focus.row, state.focus.col, hadFocus);
  }

  // Topics, homework and term marks are the journal's teacher's to write (not a deputy's), and never in the past.
  function canEdit() { return !state.asOf && !isManager; }

  // Deputies review the volume and fit of homework (order: control of homework).
  function canReview(l) { return !state.asOf && isManager && !!l.homework; }

  function reviewHomework(l) {
    const conforms = h('select', { id: 'review-conforms' }, h('option', { value: 'yes' }, 'соответствует нормам'),
      h('option', { value: 'no' }, 'не соответствует нормам'));
    const comment = h('input', { id: 'review-comment', size: 50 });
    dialog(`Проверка д/з урока ${ruDate(l.day)}: ${l.homework}`, [h('label', { for: 'review-conforms' }, 'Объём и содержание'),
      conforms, h('label', { for: 'review-comment' }, 'Замечание'), comment], async () => {
      await api.write('review_homework', { lesson: l.id, conforms: conforms.value === 'yes', comment: comment.value });
      status('Проверка записана');
    });
  }

  function dialog(title, fields, onSave, saveLabel = 'Сохранить') {
    const error = h('p', { class: 'error', role: 'alert' });
    const form = h('form', { method: 'dialog' }, h('h2', {}, title), fields, error,
      h('p', {}, onSave ? [h('button', { type: 'submit', value: 'save' }, saveLabel), ' '] : null,
        h('button', { type: 'button', onclick: () => dlg.close() }, onSave ? 'Отмена' : 'Закрыть')));
    const dlg = h('dialog', { id: 'editor' }, form);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      if (!onSave) return;
      try { await onSave(); dlg.close(); await load(); } catch (err) { error.textContent = err.message; }
    });
    dlg.addEventListener('close', () => dlg.remove());
    document.body.append(dlg);
    dlg.showModal();
  }

  function editLesson(l) {
    const topic = h('input', { id: 'topic', value: l.topic || '', size: 50 });
    const homework = h('input', { id: 'homework', value: l.homework || '', size: 50 });
    // Homework is due by a day; without one yet, the next lesson of this journal (else a week on) is offered.
    const next = state.page.lessons.find((x) => x.day > l.day);
    const weekOn = new Date(Date.parse(l.day + 'T00:00:00Z') + 7 * 86400000).toISOString().slice(0, 10);
    const due = h('input', { id: 'homework-due', type: 'date', required: true, value: l.homework_due || (next ? next.day : weekOn) });
    const everyone = h('button', { type: 'button', id: 'take-attendance', onclick: async () => {
      try {
        await api.write('take_attendance', { lesson: l.id });
        document.getElementById('editor')?.close();
        status('Посещаемость отмечена: все, у кого нет отметки, присутствовали');
      } catch (err) { status(err.message, true); }
    } }, 'Все присутствуют');
    dialog(`Урок ${ruDate(l.day)}, ${l.period}-й`, [
      h('label', { for: 'topic' }, 'Тема'), topic, h('label', { for: 'homework' }, 'Домашнее задание'), homework,
      h('label', { for: 'homework-due' }, 'К какому дню'), due,
      h('p', { class: 'hint' }, 'Отметить посещаемость урока одним действием: ', everyone)], async () => {
      if (topic.value !== (l.topic || '')) await api.write('set_topic', { lesson: l.id, topic: topic.value });
      if (homework.value !== (l.homework || '') || (l.homework && due.value !== (l.homework_due || '')))
        await api.write('set_homework', { lesson: l.id, text: homework.value, ...(due.value ? { due_day: due.value } : {}) });
      status('Записано');
    });
  }

  function editAttestation(r, a) {
    const current = r[a.field];
    const value = h('select', { id: 'attestation-value' }, TERM_VALUES.map((v) => h('option', { value: v, selected: v === current }, v)));
    // Replacing one needs a reason (the domain refuses it without one); a first one does not.
    const reason = current ? h('input', { id: 'attestation-reason', size: 40, required: true }) : null;
    const where = a.kind === 'term' ? { term: state.term } : { year: classById.get(state.classId)?.year ?? 0 };
    dialog(`Отметка ${a.word}: ${state.names.get(r.student) || r.student}`, [h('label', { for: 'attestation-value' }, 'Отметка'), value,
      ...(reason ? [h('label', { for: 'attestation-reason' }, `Причина замены отметки «${current}»`), reason] : [])],
      async () => {
        await api.write('set_attestation_mark', { student: r.student, subject: state.subject, kind: a.kind, ...where,
          value: value.value, ...(reason ? { reason: reason.value } : {}) });
        status('Записано');
      });
  }

  // A mark clicked: correct it (value, work type) or remove it, each with a reason. In a closed term, the
  // same dialog sends a correction request instead.
  function editMark(td, markId) {
    const cell = cellOf(td);
    const mark = cell.marks.find((m) => m.id === markId);
    if (!mark) return;
    const lesson = Number(td.dataset.lesson), student = Number(td.dataset.student);
    const value = h('select', { id: 'mark-value' }, ['5', '4', '3', '2'].map((v) => h('option', { value: v, selected: Number(v) === mark.value }, v)));
    const type = h('select', { id: 'mark-work-type' }, workTypes.map((w) => h('option', { value: w.id, selected: w.id === mark.work_type }, w.name)));
    const reason = h('input', { id: 'mark-reason', size: 40, required: true });
    const remove = h('button', { type: 'button', id: 'mark-remove', onclick: async () => {
      if (!reason.value) { reason.reportValidity(); return; }
      try {
        if (termClosed()) await requestCorrection({ kind: 'remove_mark', mark: mark.id, reason: reason.value });
        else await api.write('remove_mark', { mark: mark.id, reason: reason.value, expected_version: cell.version });
        document.getElementById('editor')?.close();
        if (!termClosed()) status('Отметка удалена');
        await load({ lesson, student });
      } catch (err) { status(err.message, true); }
    } }, termClosed() ? 'Запросить удаление' : 'Удалить');
    dialog(`${termClosed() ? 'Запрос на исправление' : 'Исправить отметку'} ${mark.value}: ${state.names.get(student) || student}, ${ruDate(state.page.lessons[Number(td.dataset.col)].day)}`,
      [h('label', { for: 'mark-value' }, 'Отметка'), value, h('label', { for: 'mark-work-type' }, 'Вид работы'), type,
        h('label', { for: 'mark-reason' }, 'Причина'), reason, h('p', {}, remove)],
      async () => {
        const args = { mark: mark.id, value: Number(value.value), work_type: Number(type.value), reason: reason.value };
        if (termClosed()) await requestCorrection({ kind: 'correct_mark', ...args });
        else {
          await api.write('correct_mark', { ...args, expected_version: cell.version });
          status('Отметка исправлена');
        }
      }, termClosed() ? 'Отправить запрос' : 'Исправить');
  }

  // A closed term: the change goes to a deputy as a request (order: changes after closing only with approval).
  async function requestCorrection(args) {
    const r = await api.write('request_correction', args);
    status(`Запрос на исправление отправлен заместителю директора (№ ${r.created}): ожидает решения`);
    return r;
  }

  // The same change as typed, asked for with a reason.
  function askCorrection(td, value) {
    const lesson = Number(td.dataset.lesson), student = Number(td.dataset.student);
    const reason = h('input', { id: 'correction-reason', size: 40, required: true });
    const what = MARK_KEYS.has(value) ? `отметку ${value}` : `«${value}» (посещаемость)`;
    dialog(`Период закрыт: запросить ${what}?`, [h('p', {}, `${state.names.get(student) || student}, ${ruDate(state.page.lessons[Number(td.dataset.col)].day)}`),
      h('label', { for: 'correction-reason' }, 'Причина'), reason], async () => {
      if (MARK_KEYS.has(value)) await requestCorrection({ kind: 'set_mark', lesson, student, value: Number(value), work_type: state.workType, reason: reason.value });
      else await requestCorrection({ kind: 'set_attendance', lesson, student, code: ATTENDANCE_BY_LETTER[value], reason: reason.value });
    }, 'Отправить запрос');
  }

  // On a phone or tablet: a tapped cell opens a picker of marks and attendance codes.
  function pickFor(td) {
    const choose = (v) => async () => { document.getElementById('editor')?.close(); await commit(td, v); };
    dialog(`${state.names.get(Number(td.dataset.student)) || ''}, ${ruDate(state.page.lessons[Number(td.dataset.col)].day)}`, [
      h('div', { class: 'picker' }, ['5', '4', '3', '2'].map((v) => h('button', { type: 'button', class: `m${v}`, onclick: choose(v) }, v)),
        Object.keys(ATTENDANCE_BY_LETTER).map((v) => h('button', { type: 'button', class: 'att', onclick: choose(v) }, v)))],
    null);
  }

  function cellAt(row, col) { return wrap.querySelector(`td.cell[data-row="${row}"][data-col="${col}"]`); }

  function focusCell(row, col, move = true) {
    const rows = state.page.rows.length, cols = state.page.lessons.length;
    if (!rows || !cols) return;
    row = Math.max(0, Math.min(rows - 1, row));
    col = Math.max(0, Math.min(cols - 1, col));
    const prev = wrap.querySelector('td.cell[tabindex="0"]');
    if (prev) prev.tabIndex = -1;
    const td = cellAt(row, col);
    td.tabIndex = 0;
    state.focus = { row, col };
    if (move) td.focus();
  }

  let buffer = '';
  function showBuffer(td) { td.replaceChildren(h('span', { class: 'editing' }, buffer || '…')); }

  async function onKey(e) {
    const td = e.target.closest('td.cell');
    if (!td) return;
    const { row, col } = state.focus;
    const moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1], Tab: [0, e.shiftKey ? -1 : 1] };
    if (e.key === 'Tab' && !buffer) return;  // Tab leaves the grid unless a typed mark waits to be saved
    if (moves[e.key]) {
      e.preventDefault();
      // A typed mark is never dropped by moving on: it is saved first (or the reason it was not is shown).
      if (buffer) {
        const value = buffer;
        buffer = '';
        await commit(td, value);
      }
      focusCell(row + moves[e.key][0], col + moves[e.key][1]);
      return;
    }
    if (state.asOf) return;  // a past state is read-only
    if (e.key === 'Escape') { buffer = ''; render(); return; }
    if (NOT_MARKS.has(e.key)) {
      e.preventDefault();
      buffer = '';
      status(`«${(td.querySelector('.editing')?.textContent || '').replace('…', '')}${e.key}» — не отметка: ставятся 5, 4, 3, 2 или Н, УП, Б, ОП. Ничего не записано.`, true);
      render();
      return;
    }
    if (MARK_KEYS.has(e.key) || LETTERS.has(e.key)) {
      e.preventDefault();
      buffer = (MARK_KEYS.has(e.key) ? e.key : (buffer.match(/^[А-Я]+$/) ? buffer : '') + e.key.toUpperCase()).slice(0, 2);
      showBuffer(td);
      return;
    }
    if (e.key === 'Enter' && buffer) {
      e.preventDefault();
      const value = buffer;
      buffer = '';
      await commit(td, value);
      return;
    }
    if (e.key === 'Delete' || e.key === 'Backspace') {
      e.preventDefault();
      await removeFrom(td);
    }
  }

  const cellOf = (td) => state.page.rows[Number(td.dataset.row)].cells[Number(td.dataset.col)];

  async function commit(td, value) {
    const lesson = Number(td.dataset.lesson), student = Number(td.dataset.student);
    const cell = cellOf(td);
    if (termClosed() && (MARK_KEYS.has(value) || ATTENDANCE_BY_LETTER[value])) {
      render();
      askCorrection(td, value);
      return;
    }
    try {
      if (MARK_KEYS.has(value)) {
        await api.write('set_mark', { lesson, student, value: Number(value), work_type: state.workType, expected_version: cell.version });
      } else if (ATTENDANCE_BY_LETTER[value]) {
        await api.write('set_attendance', { lesson, student, code: ATTENDANCE_BY_LETTER[value], expected_version: cell.version });
      } else {
        status(`«${value}» — не отметка: пишите 5, 4, 3, 2, Н, УП, Б или ОП`, true);
        render();
        return;
      }
      status('Записано');
      await load({ lesson, student });
    } catch (err) {
      await showError(err, lesson, student);
    }
  }

  async function removeFrom(td) {
    const lesson = Number(td.dataset.lesson), student = Number(td.dataset.student);
    const cell = cellOf(td);
    const mark = cell.marks[cell.marks.length - 1];
    if (!mark && !cell.attendance) return;
    if (termClosed() && mark) { editMark(td, mark.id); return; }
    const reason = window.prompt(mark ? `Удалить отметку ${mark.value}? Причина:` : 'Снять отметку о посещении? Причина:');
    if (!reason) return;
    try {
      if (mark) await api.write('remove_mark', { mark: mark.id, reason, expected_version: cell.version });
      else await api.write('clear_attendance', { lesson, student, reason, expected_version: cell.version });
      status('Удалено');
      await load({ lesson, student });
    } catch (err) {
      await showError(err, lesson, student);
    }
  }

  async function showError(err, lesson, student) {
    // A changed cell is one kind of conflict; "the lesson was not held" and the like are others, said as they are.
    if (err.code === 'conflict' && /другой пользователь/.test(err.message)) {
      status('Клетку только что изменил другой пользователь — показано новое значение, ваше не записано.', true);
      await load({ lesson, student });
      const td = wrap.querySelector(`td.cell[data-lesson="${lesson}"][data-student="${student}"]`);
      if (td) td.classList.add('conflict');
    } else {
      status(err.message, true);
      render();
    }
  }

  await loadNames();
  await load();
  try {
    state.subscription = await api.subscribe('journal', { class_id: state.classId, group: state.group, subject: state.subject },
      async (ev) => {
        if (state.asOf) return;
        live.textContent = '● обновлено';
        setTimeout(() => { live.textContent = ''; }, 3000);
        await load(ev.lesson && ev.student ? { lesson: ev.lesson, student: ev.student } : undefined);
      });
  } catch { /* no live updates for this journal */ }
  return async () => { await api.unsubscribeAll(); };
}

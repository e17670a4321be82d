// The journal grid: students down, lessons across (date, topic and homework above each column), marks and
// attendance in the cells, the weighted average and the term mark at the end. Works from the keyboard like
// a spreadsheet: arrows move; 5/4/3/2 or Н/УП/Б/ОП then Enter set the cell; Delete removes (with a reason);
// Escape cancels. A deputy or director can open any cell's history. Live: other people's changes appear.
import { h, ruDate, status, asOfControl, pastBanner, ATTENDANCE, ATTENDANCE_BY_LETTER } from './util.js';
import { showCellHistory } from './history.js';

const MARK_KEYS = new Set(['2', '3', '4', '5']);
const LETTERS = new Set(['Н', 'У', 'П', 'Б', 'О', 'н', 'у', 'п', 'б', 'о']);

export async function journalPage({ api, account, main, params, isManager }) {
  const [assignments, subjects, classes, terms, workTypes] = await Promise.all([
    api.callAll('roster.assignments', isManager ? {} : { teacher: account.user }),
    api.call('roster.subjects'), api.call('roster.classes'), api.call('roster.terms'), api.call('roster.work_types'),
  ]);
  const subjectName = new Map(subjects.map((s) => [s.id, s.name]));
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
  if (!state.term) {
    const today = new Date().toISOString().slice(0, 10);
    const ts = termsFor(state.classId);
    const current = ts.find((t) => t.first_day <= today && today <= t.last_day);
    state.term = (current || ts[0] || { id: 1 }).id;
  }

  // Toolbar: which journal, which term, which work type, and "as of".
  const assignmentSelect = h('select', { id: 'assignment' },
    mine.map((a) => h('option', { value: `${a.class_id}:${a.group}:${a.subject}`,
      selected: a.class_id === state.classId && a.group === state.group && a.subject === state.subject },
      `${classById.get(a.class_id)?.name ?? a.class_id}${a.group ? ' (группа)' : ''} — ${subjectName.get(a.subject) ?? a.subject}`)));
  if (![...assignmentSelect.options].some((o) => o.selected))
    assignmentSelect.prepend(h('option', { value: `${state.classId}:${state.group}:${state.subject}`, selected: true },
      `${classById.get(state.classId)?.name ?? state.classId} — ${subjectName.get(state.subject) ?? state.subject}`));
  const termSelect = h('select', { id: 'term' });
  const fillTerms = () => termSelect.replaceChildren(...termsFor(state.classId).map((t) =>
    h('option', { value: t.id, selected: t.id === state.term }, `${t.name} (${ruDate(t.first_day)}–${ruDate(t.last_day)})`)));
  fillTerms();
  const workSelect = h('select', { id: 'work-type' },
    workTypes.map((w) => h('option', { value: w.id }, `${w.name} (вес ${w.weight})`)));
  const live = h('span', { class: 'live', 'aria-live': 'polite' });
  const banner = h('div');
  const wrap = h('div', { class: 'grid-wrap' });
  main.replaceChildren(
    h('div', { class: 'toolbar' },
      h('div', {}, h('label', { for: 'assignment' }, 'Журнал'), assignmentSelect),
      h('div', {}, h('label', { for: 'term' }, 'Период'), termSelect),
      h('div', {}, h('label', { for: 'work-type' }, 'Вид работы'), workSelect),
      asOfControl((v) => { state.asOf = v; load(); }), live),
    banner, wrap,
    h('p', { class: 'hint' }, 'Стрелки — перемещение; 5, 4, 3, 2 или Н, УП, Б, ОП и Enter — запись; Delete — удалить (с причиной); Esc — отмена.',
      isManager ? ' Щелчок по клетке — её история.' : ''));

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
    banner.replaceChildren(...(state.asOf ? [pastBanner(state.asOf)] : []));
    render(changed);
  }

  function cellText(cell) {
    const parts = [];
    if (cell.attendance) parts.push(h('span', { class: 'att' }, ATTENDANCE[cell.attendance] || cell.attendance));
    for (const m of cell.marks) parts.push(h('span', { class: 'm', title: m.comment || null }, String(m.value)));
    return parts.length ? parts.flatMap((p, i) => (i ? [' ', p] : [p])) : [''];
  }

  function render(changed) {
    const { lessons, rows } = state.page;
    const hadFocus = wrap.contains(document.activeElement);  // keep the keyboard where it was
    const table = h('table', { class: 'grid' + (state.asOf ? ' past' : ''), role: 'grid', 'aria-label': 'Журнал' });
    table.append(h('thead', {}, h('tr', {},
      h('th', { class: 'student', scope: 'col' }, 'Ученик'),
      lessons.map((l) => h('th', { scope: 'col', title: l.homework ? `Д/з: ${l.homework}` : null },
        canEdit() ? h('button', { type: 'button', class: 'lesson-edit', dataset: { lesson: l.id },
          'aria-label': `Тема и задание урока ${ruDate(l.day)}`, onclick: () => editLesson(l) }, ruDate(l.day).slice(0, 5))
          : canReview(l) ? h('button', { type: 'button', class: 'lesson-edit', dataset: { lesson: l.id },
            'aria-label': `Проверка домашнего задания ${ruDate(l.day)}`, onclick: () => reviewHomework(l) }, ruDate(l.day).slice(0, 5))
            : ruDate(l.day).slice(0, 5), l.held ? '' : ' ✕', l.substituted ? ' (зам.)' : '',
        h('span', { class: 'topic' }, l.topic || '—'),
        l.homework ? h('span', { class: 'topic' }, 'Д/з: ' + l.homework) : null)),
      h('th', { scope: 'col' }, 'Средний'), h('th', { scope: 'col' }, 'Четверть'))));
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
        h('td', { class: 'term-mark' }, canEdit() ? h('button', { type: 'button', dataset: { student: r.student },
          'aria-label': `Четвертная отметка: ${state.names.get(r.student) || r.student}`, onclick: () => editTermMark(r) },
        r.term_mark ?? '—') : (r.term_mark ?? '')));
      body.append(tr);
    });
    table.append(body);
    wrap.replaceChildren(table);
    table.addEventListener('keydown', onKey);
    table.addEventListener('click', (e) => {
      const td = e.target.closest('td.cell');
      if (!td) return;
      focusCell(Number(td.dataset.row), Number(td.dataset.col));
      if (isManager) showCellHistory(api, Number(td.dataset.lesson), Number(td.dataset.student), state.asOf);
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

  function dialog(title, fields, onSave) {
    const error = h('p', { class: 'error', role: 'alert' });
    const form = h('form', { method: 'dialog' }, h('h2', {}, title), fields, error,
      h('p', {}, h('button', { type: 'submit', value: 'save' }, 'Сохранить'), ' ', h('button', { type: 'button', onclick: () => dlg.close() }, 'Отмена')));
    const dlg = h('dialog', { id: 'editor' }, form);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
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
    dialog(`Урок ${ruDate(l.day)}, ${l.period}-й`, [
      h('label', { for: 'topic' }, 'Тема'), topic, h('label', { for: 'homework' }, 'Домашнее задание'), homework,
      h('label', { for: 'homework-due' }, 'К какому дню'), due], async () => {
      if (topic.value !== (l.topic || '')) await api.write('set_topic', { lesson: l.id, topic: topic.value });
      if (homework.value !== (l.homework || '') || (l.homework && due.value !== (l.homework_due || '')))
        await api.write('set_homework', { lesson: l.id, text: homework.value, ...(due.value ? { due_day: due.value } : {}) });
      status('Записано');
    });
  }

  function editTermMark(r) {
    const value = h('select', { id: 'term-mark-value' }, ['5', '4', '3', '2', 'н/а', 'зач', 'незач', 'осв'].map((v) =>
      h('option', { value: v, selected: v === r.term_mark }, v)));
    dialog(`Отметка за период: ${state.names.get(r.student) || r.student}`, [h('label', { for: 'term-mark-value' }, 'Отметка'), value],
      async () => {
        await api.write('set_attestation_mark', { student: r.student, subject: state.subject, kind: 'term', term: state.term, value: value.value });
        status('Записано');
      });
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
    const moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    if (moves[e.key]) {
      e.preventDefault();
      if (buffer) { buffer = ''; render(); }
      focusCell(row + moves[e.key][0], col + moves[e.key][1]);
      return;
    }
    if (state.asOf) return;  // a past state is read-only
    if (e.key === 'Escape') { buffer = ''; render(); return; }
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
    const reason = window.prompt(mark ? `Удалить отметку ${mark.value}? Причина:` : 'Снять отметку о посещении? Причина:');
    if (!reason) return;
    try {
      if (mark) await api.write('remove_mark', { mark: mark.id, reason });
      else await api.write('clear_attendance', { lesson, student, reason });
      status('Удалено');
      await load({ lesson, student });
    } catch (err) {
      await showError(err, lesson, student);
    }
  }

  async function showError(err, lesson, student) {
    if (err.code === 'conflict') {
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

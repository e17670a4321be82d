// A cell's history for the deputies: who changed it, from what to what, when and why (audit.cell).
import { SCHOOL_TIME_ZONE } from './config.js';
import { h } from './util.js';

const KINDS = {
  mark_set: 'отметка', mark_corrected: 'исправление', mark_removed: 'удаление', attendance_set: 'посещаемость',
  attendance_cleared: 'посещаемость снята', topic_set: 'тема', homework_set: 'домашнее задание',
  attestation_set: 'аттестация', personal_data_recorded: 'личные данные', personal_data_erased: 'личные данные удалены',
  backup_recorded: 'резервная копия',
};

// An audit text as the journal writes it: attendance codes in capitals (Н, УП, Б, ОП), as in the grid.
export function shown(entry, text) {
  if (!text) return '—';
  return entry.kind === 'attendance_set' || entry.kind === 'attendance_cleared' ? text.toUpperCase() : text;
}

export function formatTime(us) {
  const d = new Date(us / 1000);
  return new Intl.DateTimeFormat('ru-RU', { timeZone: SCHOOL_TIME_ZONE, day: '2-digit', month: '2-digit', year: 'numeric',
    hour: '2-digit', minute: '2-digit' }).format(d);
}

let staffNames = null;

export async function showCellHistory(api, lesson, student, asOf) {
  if (!staffNames) {
    try { staffNames = new Map((await api.call('roster.staff')).map((s) => [s.id, s.name])); } catch { staffNames = new Map(); }
  }
  const args = { lesson, student };
  if (asOf) args.as_of = asOf;
  const dialog = h('dialog', { id: 'cell-history', 'aria-label': 'История клетки' });
  try {
    const entries = (await api.callAll('audit.cell', args)).reverse();  // oldest first
    dialog.append(h('h2', {}, 'История клетки'),
      entries.length === 0 ? h('p', {}, 'Изменений нет.') :
        h('table', {}, h('thead', {}, h('tr', {}, ['Когда', 'Кто', 'Что', 'Было → стало', 'Причина'].map((t) => h('th', {}, t)))),
          h('tbody', {}, entries.map((e) => h('tr', {},
            h('td', {}, formatTime(e.recorded_at)),
            h('td', { class: 'actor' }, e.actor === 0 ? 'система' : (staffNames.get(e.actor) || `№ ${e.actor}`)),
            h('td', {}, KINDS[e.kind] || e.kind),
            h('td', {}, `${shown(e, e.before)} → ${shown(e, e.after)}`),
            h('td', {}, e.reason || '',
              e.after_term_closed ? h('strong', {}, ' (после закрытия периода)') : null))))));
  } catch (err) {
    dialog.append(h('p', { class: 'error' }, err.message));
  }
  dialog.append(h('form', { method: 'dialog' }, h('button', { autofocus: true }, 'Закрыть')));
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
}

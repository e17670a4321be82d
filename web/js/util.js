// Small helpers shared by the pages: building elements, dates as the school writes them, status messages.
import { SCHOOL_TIME_ZONE } from './config.js';

// h('td', {class: 'x', onclick: f}, child, 'text') -> element
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

// "2025-09-04" -> "04.09.2025"
export function ruDate(iso) {
  if (!iso) return '';
  const [y, m, d] = iso.split('-');
  return `${d}.${m}.${y}`;
}

const WEEKDAYS = ['воскресенье', 'понедельник', 'вторник', 'среда', 'четверг', 'пятница', 'суббота'];
export function weekday(iso) {
  return WEEKDAYS[new Date(iso + 'T12:00:00Z').getUTCDay()];
}

// The Monday of the week holding `iso` ("YYYY-MM-DD").
export function mondayOf(iso) {
  const d = new Date(iso + 'T12:00:00Z');
  const shift = (d.getUTCDay() + 6) % 7;
  d.setUTCDate(d.getUTCDate() - shift);
  return d.toISOString().slice(0, 10);
}

export function addDays(iso, n) {
  const d = new Date(iso + 'T12:00:00Z');
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

// Today in the school's time zone (Europe/Moscow).
export function schoolToday() {
  return new Intl.DateTimeFormat('en-CA', { timeZone: SCHOOL_TIME_ZONE }).format(new Date());
}

export function status(text, isError = false) {
  const el = document.getElementById('status');
  el.textContent = text || '';
  el.classList.toggle('error', isError);
}

// Attendance codes as the paper journal writes them.
export const ATTENDANCE = { absent: 'Н', excused: 'УП', sick: 'Б', late: 'ОП' };
export const ATTENDANCE_BY_LETTER = { 'Н': 'absent', 'УП': 'excused', 'Б': 'sick', 'ОП': 'late' };

// The "показать на дату" control: a datetime-local input in school time; calls onChange(value or null).
// The value is sent to the server as "YYYY-MM-DDTHH:MM:00" without a zone, which it reads as school time.
export function asOfControl(onChange) {
  const input = h('input', { type: 'datetime-local', id: 'as-of', name: 'as_of' });
  const clear = h('button', { type: 'button', onclick: () => { input.value = ''; onChange(null); } }, 'Сейчас');
  input.addEventListener('change', () => onChange(input.value ? input.value + ':00' : null));
  return h('div', {}, h('label', { for: 'as-of' }, 'Показать на дату'), input, ' ', clear);
}

export function pastBanner(asOf) {
  return h('div', { class: 'past-banner', role: 'note' },
    `Состояние на ${ruDate(asOf.slice(0, 10))} ${asOf.slice(11, 16)} — только просмотр`);
}

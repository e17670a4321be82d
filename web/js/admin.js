// The administrator's page: statistics and backups (last runs on each disk, run now).
import { h, status } from './util.js';
import { formatTime } from './history.js';

export async function adminPage({ api, main }) {
  const stats = h('section', { class: 'card', id: 'stats' }, h('h2', {}, 'Статистика'));
  const backups = h('section', { class: 'card', id: 'backups' }, h('h2', {}, 'Резервные копии'));
  main.replaceChildren(stats, h('p'), backups);

  try {
    const s = await api.call('stats.summary');
    stats.append(h('ul', { class: 'plain' },
      h('li', {}, `Учётных записей: ${s.accounts.total} (заблокировано ${s.accounts.blocked})`),
      Object.entries(s.accounts.by_role).map(([role, n]) => h('li', {}, `${role}: ${n}`)),
      h('li', {}, `Записей в журнале: ${s.log.events}`)));
  } catch (err) {
    stats.append(h('p', { class: 'error' }, err.message));
  }

  async function showBackups() {
    const b = await api.call('backup.status');
    const rows = b.history.map((r) => h('tr', {},
      h('td', {}, r.kind === 'archive' ? `архив ${r.month}` : 'копия'), h('td', {}, r.target),
      h('td', {}, r.ok ? 'готово' : `ошибка: ${r.message}`), h('td', {}, r.at_us ? formatTime(r.at_us) : ''),
      h('td', {}, r.last_success_us ? formatTime(r.last_success_us) : '—')));
    backups.replaceChildren(h('h2', {}, 'Резервные копии'),
      b.configured ? h('p', {}, `Каждые ${b.every_hours} ч, диски: ${b.targets.map((t) => t.target).join(', ')}`)
        : h('p', {}, 'Диски не заданы (ejournald --backup-to).'),
      h('table', {}, h('thead', {}, h('tr', {}, ['Что', 'Диск', 'Итог', 'Когда', 'Последняя удачная'].map((t) => h('th', {}, t)))),
        h('tbody', {}, rows)),
      b.configured ? h('p', {}, h('button', { type: 'button', id: 'backup-run', onclick: async () => {
        try { await api.call('backup.run'); status('Резервное копирование запущено'); setTimeout(showBackups, 3000); }
        catch (err) { status(err.message, true); }
      } }, 'Сделать копию сейчас')) : null);
  }
  try { await showBackups(); } catch (err) { backups.append(h('p', { class: 'error' }, err.message)); }
  return async () => {};
}

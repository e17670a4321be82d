// The web client: sign-in, then the pages each role uses, chosen by the address's #fragment.
import { Api, ApiError } from './api.js';
import { h, status } from './util.js';
import { journalPage } from './journal.js';
import { diaryPage } from './diary.js';
import { adminPage } from './admin.js';
import { classPage } from './classlist.js';
import { controlPage } from './control.js';
import { todayPage } from './today.js';
import { schoolPage } from './school.js';
import { setupPage } from './setup.js';
import { reportsPage } from './reports.js';
import { analyticsPage } from './analytics.js';

const api = new Api(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`);
const main = document.getElementById('main');
let account = null;
let leavePage = null;  // the open page's cleanup (subscriptions)

function has(role) { return account && account.roles.includes(role); }
const isManager = () => has('deputy') || has('director');

// The pages: address, title in the menu, who may open it, and the page itself. The menu lists them in this
// order, and a reader lands on the first they may open (the director and deputies on "Школа", a teacher on
// "Сегодня").
const ROUTES = [
  { id: 'school', title: 'Школа', page: schoolPage, allowed: isManager },
  { id: 'today', title: 'Сегодня', page: todayPage, allowed: () => has('teacher') },
  { id: 'journal', title: 'Журнал', page: journalPage, allowed: () => has('teacher') || isManager() },
  { id: 'class', title: 'Класс', page: classPage, allowed: () => has('curator') || isManager() },
  { id: 'control', title: 'Контроль', page: controlPage, allowed: isManager },
  { id: 'analytics', title: 'Аналитика', page: analyticsPage, allowed: isManager },
  { id: 'diary', title: 'Дневник', page: diaryPage, allowed: () => has('student') || has('parent') },
  { id: 'admin', title: 'Администрирование', page: adminPage, allowed: () => has('administrator') },
  { id: 'reports', title: 'Отчёты', page: reportsPage, allowed: () => isManager() || has('curator') || has('teacher') || has('administrator') },
  { id: 'setup', title: 'Настройка', page: setupPage, allowed: () => has('deputy') || has('administrator') },
];

function routes() { return ROUTES.filter((r) => r.allowed()); }

function parseHash() {
  const [path, query] = location.hash.replace(/^#\/?/, '').split('?');
  return { page: path || '', params: new URLSearchParams(query || '') };
}

function renderChrome() {
  const nav = document.getElementById('nav');
  const who = document.getElementById('who');
  nav.replaceChildren();
  who.replaceChildren();
  if (!account) return;
  const { page } = parseHash();
  for (const { id, title } of routes())
    nav.append(h('a', { href: `#/${id}`, 'aria-current': page === id ? 'page' : null }, title));
  who.append(account.name || account.login,
    h('button', { type: 'button', id: 'logout', onclick: signOut }, 'Выйти'));
}

async function signOut() {
  if (leavePage) await leavePage();
  leavePage = null;
  await api.logout().catch(() => {});
  account = null;
  location.hash = '#/';
  showLogin();
}

function showLogin(message = '') {
  renderChrome();
  const error = h('p', { class: 'error', role: 'alert' }, message);
  const form = h('form', { class: 'card', id: 'login-form' },
    h('h2', {}, 'Вход'),
    h('label', { for: 'login' }, 'Логин'), h('input', { id: 'login', name: 'login', autocomplete: 'username', required: true }),
    h('label', { for: 'password' }, 'Пароль'),
    h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true }),
    h('p', {}, h('button', { type: 'submit' }, 'Войти')), error);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      account = await api.login(form.login.value.trim(), form.password.value);
      form.password.value = '';
      await afterSignIn();
    } catch (err) {
      error.textContent = err.message;
    }
  });
  main.replaceChildren(form);
  form.login.focus();
}

function showChangePassword() {
  renderChrome();
  const error = h('p', { class: 'error', role: 'alert' });
  const form = h('form', { class: 'card', id: 'password-form' },
    h('h2', {}, 'Смена пароля'),
    h('p', {}, 'Вы вошли с одноразовым паролем. Придумайте свой: не короче 8 символов, с буквами и цифрами.'),
    h('label', { for: 'old-password' }, 'Одноразовый пароль'),
    h('input', { id: 'old-password', type: 'password', autocomplete: 'current-password', required: true }),
    h('label', { for: 'new-password' }, 'Новый пароль'),
    h('input', { id: 'new-password', type: 'password', autocomplete: 'new-password', required: true }),
    h('label', { for: 'new-password-2' }, 'Новый пароль ещё раз'),
    h('input', { id: 'new-password-2', type: 'password', autocomplete: 'new-password', required: true }),
    h('p', {}, h('button', { type: 'submit' }, 'Сменить пароль')), error);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const [oldp, p1, p2] = ['old-password', 'new-password', 'new-password-2'].map((id) => form.querySelector('#' + id).value);
    if (p1 !== p2) { error.textContent = 'Пароли не совпадают'; return; }
    try {
      await api.call('auth.change_password', { old_password: oldp, new_password: p1 });
      account = await api.call('me');
      await route();
    } catch (err) {
      error.textContent = err.message;
    }
  });
  main.replaceChildren(form);
  form.querySelector('#old-password').focus();
}

async function afterSignIn() {
  if (account.must_change_password) return showChangePassword();
  return route();
}

let visits = 0;  // route() calls so far; the newest one owns the page

async function route() {
  if (!account) return showLogin();
  if (account.must_change_password) return showChangePassword();
  if (leavePage) { const leave = leavePage; leavePage = null; await leave(); }
  let { page, params } = parseHash();
  const allowed = routes();
  let target = allowed.find((r) => r.id === page);
  if (!target) {
    if (allowed.length === 0) { main.replaceChildren(h('p', {}, 'Для вашей роли здесь пока нет страниц.')); renderChrome(); return; }
    target = allowed[0];
    page = target.id;
    history.replaceState(null, '', `#/${page}`);
  }
  renderChrome();
  status('');
  // Each visit renders into a container of its own: a page still loading when the reader has moved on
  // (a quick second click, a changed address) fills a detached element, never the page now shown.
  const visit = ++visits;
  const view = h('div', { class: 'view' });
  main.replaceChildren(view);
  const ctx = { api, account, main: view, params, isManager: isManager(), has };
  let leave = null;
  try {
    leave = await target.page(ctx);
  } catch (err) {
    // (Signed out meanwhile: the sign-in form says so itself.)
    if (visit === visits && account) status(err instanceof ApiError ? err.message : String(err), true);
  }
  // Superseded while it loaded: its view is detached. Its cleanup is not run, as pages' cleanups end every
  // subscription, the newer page's too; the next page change ends them all anyway.
  if (visit !== visits) return;
  leavePage = leave;
  // Focus for screen readers and the keyboard, without scrolling the header out of sight.
  main.focus({ preventScroll: true });
  window.scrollTo(0, 0);
}

api.onStateChange = (state) => {
  if (state === 'closed' && account) {
    status('Связь с сервером прервалась; переподключение…', true);
    setTimeout(async () => {
      try {
        account = await api.resume();
        if (account) { status(''); await route(); }
      } catch { status('Нет связи с сервером', true); }
    }, 1500);
  }
};

// Signed out by the server: on another tab, by expiry, or because the administrator reset the password.
api.onSignedOut = () => {
  if (!account) return;
  account = null;
  leavePage = null;
  location.hash = '#/';
  showLogin('Сеанс завершён: войдите снова');
};

window.addEventListener('hashchange', () => { if (account) route(); });

(async function boot() {
  try {
    account = await api.resume();
  } catch {
    account = null;
  }
  if (account) await afterSignIn(); else showLogin();
})();

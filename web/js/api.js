// The WebSocket protocol (docs/protocol.md) for the page: one connection, requests matched to answers by id,
// pushes delivered to their subscription's handler, the session token kept in localStorage so that a reload
// resumes it, and a reconnect (with auth.resume and the subscriptions renewed) when the connection drops.

const TOKEN_KEY = 'ejournal.token';

export class ApiError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

export class Api {
  constructor(url) {
    this.url = url;
    this.nextId = 1;
    this.waiting = new Map();     // id -> {resolve, reject}
    this.handlers = new Map();    // subscription id -> {topic, args, onPush}
    this.onStateChange = () => {};
    this.onSignedOut = () => {};  // the session ended on the server (signed out elsewhere, expired, reset)
    this.ws = null;
    this.opened = null;
  }

  get token() { return localStorage.getItem(TOKEN_KEY); }
  set token(value) {
    if (value) localStorage.setItem(TOKEN_KEY, value); else localStorage.removeItem(TOKEN_KEY);
  }

  connect() {
    if (this.opened) return this.opened;
    this.opened = new Promise((resolve, reject) => {
      const ws = new WebSocket(this.url);
      this.ws = ws;
      ws.onopen = () => { this.onStateChange('open'); resolve(); };
      ws.onerror = () => reject(new ApiError('unavailable', 'Нет связи с сервером'));
      ws.onmessage = (m) => this.receive(JSON.parse(m.data));
      ws.onclose = () => {
        this.opened = null;
        for (const [, w] of this.waiting) w.reject(new ApiError('unavailable', 'Связь с сервером прервалась'));
        this.waiting.clear();
        this.onStateChange('closed');
      };
    });
    return this.opened;
  }

  receive(msg) {
    if (msg.push === 'closed') {  // the server ended a subscription (docs/protocol.md)
      this.handlers.delete(msg.subscription);
      if (msg.reason === 'signed_out') this.sessionEnded();
      return;
    }
    if (msg.push !== undefined) {
      const h = this.handlers.get(msg.subscription);
      if (h) h.onPush(msg.event);
      return;
    }
    const w = this.waiting.get(msg.id);
    if (!w) return;
    this.waiting.delete(msg.id);
    if (msg.ok) w.resolve(msg.result);
    else {
      if (msg.error.code === 'forbidden' && msg.error.message.startsWith('Сеанс завершён')) this.sessionEnded();
      w.reject(new ApiError(msg.error.code, msg.error.message));
    }
  }

  // A query or auth.* operation.
  async call(op, args = {}) {
    await this.connect();
    return this.send({ op, args });
  }

  // A paged query (audit.*, control.register, control.late_marks, roster.assignments): follows `next` until
  // the listing ends or `max` items have come, and returns the items.
  async callAll(op, args = {}, max = 100000) {
    const items = [];
    let cursor;
    do {
      const page = await this.call(op, cursor === undefined ? args : { ...args, cursor });
      items.push(...page.items);
      cursor = page.next;
    } while (cursor != null && items.length < max);
    return items;
  }

  // A write: carries a fresh command id, so a retry after a lost answer records nothing twice.
  async write(op, args, commandId = crypto.randomUUID()) {
    await this.connect();
    return this.send({ op, args, command_id: commandId });
  }

  send(req) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.ws.send(JSON.stringify({ id, ...req }));
    });
  }

  sessionEnded() {
    if (!this.token) return;  // told already
    this.token = null;
    this.handlers.clear();
    this.onSignedOut();
  }

  async login(login, password) {
    const r = await this.call('auth.login', { login, password });
    this.token = r.token;
    return r.account;
  }

  // The saved session, or null when there is none (or it expired).
  async resume() {
    if (!this.token) return null;
    try {
      const r = await this.call('auth.resume', { token: this.token });
      return r.account;
    } catch (e) {
      if (e.code === 'forbidden') this.token = null;
      throw e;
    }
  }

  async logout() {
    try { await this.call('auth.logout'); } finally { this.token = null; this.handlers.clear(); }
  }

  async subscribe(topic, args, onPush) {
    const r = await this.call('subscribe', { topic, ...args });
    this.handlers.set(r.subscription, { topic, args, onPush });
    return r.subscription;
  }

  async unsubscribeAll() {
    const ids = [...this.handlers.keys()];
    this.handlers.clear();
    for (const id of ids) {
      try { await this.call('unsubscribe', { subscription: id }); } catch { /* the connection may be gone */ }
    }
  }
}

// Admin pages: users (create, change role, reset password, delete) and the
// audit log. The nav shows them to admins only; the API refuses everyone else.
import { get, call, post, errorText } from './api.js';
import { h, replace, time, notify, confirmDialog, badge, filterHash } from './dom.js';

const roles = ['viewer', 'operator', 'admin'];

// The password the manager generated and answered with, to show on the page
// drawn next, once. In memory only: never in storage, never sent back.
let generated = null;

function shownOnce(user, password) {
  return h('div', { class: 'panel ok', role: 'status', id: 'initial-password' },
    h('b', {}, `Initial password of ${user}: `), h('code', { 'data-password': user }, password),
    h('div', { class: 'desc' }, 'Shown once. The user must change it at the first login.'));
}

export async function renderUsers(view, _route, session) {
  if (session.role !== 'admin') { replace(view, h('h1', {}, 'Users'), h('p', {}, 'This page needs the admin role.')); return; }
  const list = (await get('access/users')).users;
  const message = h('div', { 'aria-live': 'polite' });
  const fail = (e) => replace(message, h('p', { class: 'error', role: 'alert' }, errorText(e)));
  const redraw = () => window.dispatchEvent(new Event('steward:redraw'));

  async function create(event) {
    event.preventDefault();
    const f = event.target;
    const body = { user_name: f.user_name.value.trim(), role: f.role.value };
    if (f.password.value) body.password = f.password.value;
    try {
      const result = (await post('access/users', body)).res_obj;
      notify(`User ${body.user_name} created.`);
      // Absent when the admin gave the password.
      if (result.initial_password) generated = { user: body.user_name, password: result.initial_password };
      redraw();
    } catch (e) { fail(e); }
  }

  async function setRole(user, role) {
    try { await call(`access/users/${encodeURIComponent(user)}`, { method: 'PUT', body: { role } }); notify(`${user} is now ${role}.`); redraw(); } catch (e) { fail(e); }
  }

  // The manager generates the new password (reset_password) and answers with it, once.
  async function resetPassword(user) {
    const yes = await confirmDialog({ title: `Reset the password of ${user}?`, confirm: 'Reset password', danger: true },
      h('p', {}, 'The manager sets a new initial password, shown to you once; the old one stops working and the user\'s sessions end now. The user must change it at the next login.'));
    if (!yes) return;
    try {
      const result = (await call(`access/users/${encodeURIComponent(user)}`, { method: 'PUT', body: { reset_password: true } })).res_obj;
      generated = { user, password: result.initial_password };
      redraw();
    } catch (e) { fail(e); }
  }

  async function remove(user) {
    const yes = await confirmDialog({ title: `Delete user ${user}?`, confirm: 'Delete user', danger: true },
      h('p', {}, 'The user can no longer log in; their sessions end now. The audit log keeps their entries.'));
    if (!yes) return;
    // With a body: a cookie-authenticated change must be sent as JSON (CSRF), DELETE included.
    try { await call(`access/users/${encodeURIComponent(user)}`, { method: 'DELETE', body: {} }); notify(`User ${user} deleted.`); redraw(); } catch (e) { fail(e); }
  }

  // A password just generated is shown once, on the page drawn after it.
  const shown = generated;
  generated = null;
  replace(view,
    h('h1', {}, 'Users'),
    message,
    shown ? shownOnce(shown.user, shown.password) : null,
    h('table', { id: 'users' },
      h('thead', {}, h('tr', {}, ['User', 'Role', 'Password', 'Created', 'Actions'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, list.map((u) => {
        const select = h('select', { 'aria-label': `Role of ${u.user_name}`, 'data-key': `role:${u.user_name}` },
          roles.map((r) => h('option', { value: r, selected: r === u.role }, r)));
        return h('tr', { 'data-user': u.user_name },
          h('th', { scope: 'row' }, u.user_name, u.user_name === session.user ? h('span', { class: 'desc' }, ' (you)') : null),
          h('td', {}, select, ' ', h('button', { type: 'button', 'data-key': `set-role:${u.user_name}`, onclick: () => setRole(u.user_name, select.value) }, 'Set role')),
          h('td', {}, u.modify_pwd ? badge('MUST_CHANGE', 'must change') : 'set by the user'),
          h('td', {}, time(u.create_time)),
          h('td', {}, h('div', { class: 'actions' },
            // Not for oneself: a reset would end this session before its password is shown
            // (one's own password is changed on modify_password.html).
            u.user_name === session.user ? null
              : [h('button', { type: 'button', 'data-key': `reset:${u.user_name}`, onclick: () => resetPassword(u.user_name) }, 'Reset password'),
                 h('button', { type: 'button', class: 'danger', 'data-key': `delete:${u.user_name}`, onclick: () => remove(u.user_name) }, 'Delete')])));
      }))),
    h('h2', { id: 'new-user' }, 'New user'),
    h('form', { class: 'toolbar', id: 'create-user', 'aria-labelledby': 'new-user', onsubmit: create },
      h('label', {}, 'User name', h('input', { name: 'user_name', required: true, pattern: '[A-Za-z0-9._\\-]{1,64}', autocomplete: 'off' })),
      h('label', {}, 'Role', h('select', { name: 'role' }, roles.map((r) => h('option', { value: r }, r)))),
      h('label', {}, 'Initial password (empty: generated)', h('input', { name: 'password', type: 'password', autocomplete: 'new-password' })),
      h('button', { type: 'submit', class: 'primary' }, 'Create user')));
}

const pageSize = 50;

export async function renderAudit(view, { query }, session) {
  if (session.role !== 'admin') { replace(view, h('h1', {}, 'Audit log'), h('p', {}, 'This page needs the admin role.')); return; }
  const filters = { user: query.get('user') ?? '', action: query.get('action') ?? '', result: query.get('result') ?? '' };
  const page = Math.max(1, parseInt(query.get('page') ?? '1', 10) || 1);
  const entries = (await get('audit', { ...filters, limit: pageSize, offset: (page - 1) * pageSize })).entries;
  const go = (changes) => { location.hash = filterHash('audit', filters, changes); };
  replace(view,
    h('h1', {}, 'Audit log'),
    h('form', { class: 'toolbar', role: 'search', onsubmit: (e) => {
      e.preventDefault();
      const f = e.target;
      go({ user: f.user.value.trim(), action: f.action.value.trim().toUpperCase(), result: f.result.value });
    } },
      h('label', {}, 'User', h('input', { name: 'user', value: filters.user, size: 12 })),
      h('label', {}, 'Action', h('input', { name: 'action', value: filters.action, size: 16, placeholder: 'e.g. SERVICE_START' })),
      h('label', {}, 'Result', h('select', { name: 'result' }, [['', 'Any'], ['SUCCESS', 'Success'], ['FAILURE', 'Failure']]
        .map(([v, t]) => h('option', { value: v, selected: filters.result === v }, t)))),
      h('button', { type: 'submit', 'data-key': 'audit-filter' }, 'Filter')),
    entries.length
      ? h('table', { id: 'audit' },
          h('thead', {}, h('tr', {}, ['Time', 'User', 'Source', 'Action', 'Target', 'Result', 'Command'].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, entries.map((e) => h('tr', { 'data-audit': e.id },
            h('td', {}, time(e.at)), h('th', { scope: 'row' }, e.user || '—'), h('td', { class: 'mono' }, e.source || '—'),
            h('td', {}, e.action), h('td', { class: 'mono' }, e.target),
            h('td', {}, badge(e.result, e.result.toLowerCase()),
              e.error_code ? h('div', { class: 'desc' }, `${e.http_status} · error ${e.error_code}`) : null),
            h('td', {}, e.command_id ? h('a', { href: `#/commands/${e.command_id}` }, `#${e.command_id}`) : '—')))))
      : h('p', { class: 'empty' }, 'No entry matches.'),
    h('nav', { class: 'pager', 'aria-label': 'Pages' },
      h('span', {}, `Page ${page}`),
      h('button', { type: 'button', disabled: page <= 1, onclick: () => go({ page: page - 1 }) }, 'Newer'),
      h('button', { type: 'button', disabled: entries.length < pageSize, onclick: () => go({ page: page + 1 }) }, 'Older')));
}

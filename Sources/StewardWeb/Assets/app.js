// The shell: checks the session, then routes #/… to a page. Each page is a
// module exporting render(view, route, session) that may return a cleanup
// function (to close its event streams and timers when the user leaves).
import { call, get, errorText } from './api.js';
import { h, replace, refocus } from './dom.js';
import * as dashboard from './dashboard.js';
import * as configuration from './configuration.js';
import * as commands from './commands.js';
import * as command from './command.js';
import { renderUsers, renderAudit } from './admin.js';

const routes = [
  [/^#?\/?$/, dashboard, 'dashboard'],
  [/^#\/services\/([^/]+)\/configuration$/, configuration, 'dashboard'],
  [/^#\/commands(?:\?.*)?$/, commands, 'commands'],
  [/^#\/commands\/(\d+)$/, command, 'commands'],
  [/^#\/users$/, { render: renderUsers }, 'users'],
  [/^#\/audit(?:\?.*)?$/, { render: renderAudit }, 'audit'],
];

let cleanup = null;
let generation = 0;
let session = null;

async function start() {
  const main = document.getElementById('main');
  document.querySelector('.skip').addEventListener('click', (event) => {
    // Not a hash change: #main is no page of the router.
    event.preventDefault();
    main.focus();
  });
  try {
    const check = await call('access/login_check');
    if (check.modify_pwd) { location.assign('/web/modify_password.html'); return; }
    const clusters = (await get('clusters')).clusters;
    session = { user: check.user_name, role: check.role, cluster: clusters[0] };
  } catch (e) {
    if (e.status !== 401) replace(main, h('p', { class: 'error' }, errorText(e)));
    return;
  }
  document.getElementById('cluster-name').textContent = `${session.cluster.name} · ${session.cluster.stack}`;
  document.getElementById('session-user').textContent = `${session.user} (${session.role})`;
  document.getElementById('session').hidden = false;
  for (const a of document.querySelectorAll('[data-admin]')) a.hidden = session.role !== 'admin';
  document.getElementById('logout').addEventListener('click', logout);
  const next = sessionStorage.getItem('steward.next');
  sessionStorage.removeItem('steward.next');
  // replaceState fires no hashchange: the page is drawn once, below.
  if (next && next.startsWith('#/')) history.replaceState(null, '', next);
  window.addEventListener('hashchange', () => route(true));
  // A page asks to be drawn again (new data) without the focus moving.
  window.addEventListener('steward:redraw', () => route(false));
  route(true);
}

async function logout() {
  try { await call('logout_action'); } catch (e) { /* ending the CAS grant below still logs out */ }
  location.assign('/cas/logout');
}

function route(moveFocus) {
  if (cleanup) { try { cleanup(); } catch (e) { /* a page's cleanup must not block the next page */ } cleanup = null; }
  const mine = ++generation;
  const hash = location.hash || '#/';
  const main = document.getElementById('main');
  const focusedKey = document.activeElement?.dataset?.key;
  for (const [pattern, page, nav] of routes) {
    const match = hash.match(pattern);
    if (!match) continue;
    for (const a of document.querySelectorAll('[data-nav]')) {
      if (a.dataset.nav === nav) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
    }
    // Each navigation draws into its own element: a page still loading when
    // the user moves on draws into a detached one, never over the next page.
    const view = h('div', { class: 'view' });
    replace(main, moveFocus ? h('p', { class: 'loading' }, 'Loading…') : view);
    const params = match.slice(1).map(decodeURIComponent);
    const query = new URLSearchParams(hash.includes('?') ? hash.slice(hash.indexOf('?') + 1) : '');
    Promise.resolve(page.render(view, { params, query }, session))
      .then((c) => {
        const stop = typeof c === 'function' ? c : null;
        if (mine !== generation) { if (stop) stop(); return; }
        cleanup = stop;
        if (moveFocus) replace(main, view);
        if (!moveFocus) refocus(view, focusedKey);
      })
      .catch((e) => {
        if (e.status === 401 || mine !== generation) return;
        replace(main, h('h1', {}, 'Something went wrong'), h('p', { class: 'error', role: 'alert' }, errorText(e)));
      });
    if (moveFocus) main.focus({ preventScroll: true });
    return;
  }
  replace(main, h('h1', {}, 'Not found'), h('p', {}, 'No page here. ', h('a', { href: '#/' }, 'Go to the dashboard.')));
}

start();

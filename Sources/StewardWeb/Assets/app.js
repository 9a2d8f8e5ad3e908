// The shell: checks the session, then routes #/… to a page. Each page is a
// module exporting render(main, params, session) that may return a cleanup
// function (to close its event streams and timers when the user leaves).
import { call, get } from './api.js';
import { h, replace } from './dom.js';
import * as dashboard from './dashboard.js';
import * as configuration from './configuration.js';
import * as commands from './commands.js';
import * as command from './command.js';

const routes = [
  [/^#?\/?$/, dashboard, 'dashboard'],
  [/^#\/services\/([^/]+)\/configuration$/, configuration, 'dashboard'],
  [/^#\/commands(?:\?.*)?$/, commands, 'commands'],
  [/^#\/commands\/(\d+)$/, command, 'commands'],
];

let cleanup = null;
let session = null;

async function start() {
  try {
    const check = await call('access/login_check');
    if (check.modify_pwd) { location.assign('/web/modify_password.html'); return; }
    const clusters = (await get('clusters')).clusters;
    session = { user: check.user_name, role: check.role, cluster: clusters[0] };
  } catch (e) {
    if (e.status !== 401) replace(document.getElementById('main'), h('p', { class: 'error' }, e.text || String(e)));
    return;
  }
  document.getElementById('cluster-name').textContent = `${session.cluster.name} · ${session.cluster.stack}`;
  document.getElementById('session-user').textContent = `${session.user} (${session.role})`;
  document.getElementById('session').hidden = false;
  document.getElementById('logout').addEventListener('click', logout);
  const next = sessionStorage.getItem('steward.next');
  sessionStorage.removeItem('steward.next');
  if (next && next.startsWith('#/')) location.replace(next);
  window.addEventListener('hashchange', route);
  route();
}

async function logout() {
  try { await call('logout_action'); } catch (e) { /* ending the CAS grant below still logs out */ }
  location.assign('/cas/logout');
}

function route() {
  if (cleanup) { try { cleanup(); } catch (e) { /* a page's cleanup must not block the next page */ } cleanup = null; }
  const hash = location.hash || '#/';
  const main = document.getElementById('main');
  for (const [pattern, page, nav] of routes) {
    const match = hash.match(pattern);
    if (!match) continue;
    for (const a of document.querySelectorAll('[data-nav]')) {
      if (a.dataset.nav === nav) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
    }
    replace(main, h('p', { class: 'loading' }, 'Loading…'));
    const params = match.slice(1).map(decodeURIComponent);
    const query = new URLSearchParams(hash.includes('?') ? hash.slice(hash.indexOf('?') + 1) : '');
    Promise.resolve(page.render(main, { params, query }, session))
      .then((c) => { cleanup = typeof c === 'function' ? c : null; })
      .catch((e) => {
        if (e.status === 401) return;
        replace(main, h('h1', {}, 'Something went wrong'), h('p', { class: 'error', role: 'alert' }, e.text || String(e)));
      });
    main.focus({ preventScroll: true });
    return;
  }
  replace(main, h('h1', {}, 'Not found'), h('p', {}, 'No page here. ', h('a', { href: '#/' }, 'Go to the dashboard.')));
}

start();

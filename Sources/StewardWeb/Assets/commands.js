// Command history: filters and paging in the URL (#/commands?state=…&page=…),
// so a filtered view can be bookmarked and Back works. Running commands'
// bars move live over the event stream.
import { get, follow, errorText, isFinished } from './api.js';
import { h, replace, badge, progressBar, time, duration, commandTitle, kindLabels, filterHash } from './dom.js';

const pageSize = 20;
// A browser opens at most 6 connections to one host over HTTP/1.1; keep most
// of them free for the page's own requests.
const maxStreams = 3;

export async function render(view, { query }, session) {
  const cid = session.cluster.id;
  const filters = {
    state: query.get('state') ?? '', kind: query.get('kind') ?? '', service_name: query.get('service_name') ?? '',
    user: query.get('user') ?? '',
  };
  const page = Math.max(1, parseInt(query.get('page') ?? '1', 10) || 1);
  const streams = new Map();
  let timer = null;
  let stopped = false;

  const services = (await get(`cluster/${cid}/services`)).services.map((s) => s.name);
  const list = await get('common/commands', { ...filters, limit: pageSize, offset: (page - 1) * pageSize });

  const go = (changes) => { location.hash = filterHash('commands', filters, changes); };
  // Applied with the Filter button (or Enter), not on change: arrow keys on a
  // closed <select> change it one option at a time.
  const select = (name, label, options) => h('label', {}, label,
    h('select', { name },
      options.map(([value, text]) => h('option', { value, selected: filters[name] === value }, text))));

  const rows = new Map();
  function row(c) {
    const tr = h('tr', { 'data-command': c.id, class: c.state === 'FAILED' ? 'failed' : undefined },
      h('td', { class: 'num' }, h('a', { href: `#/commands/${c.id}`, tabindex: -1 }, `#${c.id}`)),
      h('th', { scope: 'row' }, h('a', { href: `#/commands/${c.id}`, 'data-key': `command:${c.id}` }, commandTitle(c.kind, c.target)),
        c.state === 'FAILED' && c.error_description ? h('div', { class: 'desc error' }, errorText(c)) : null),
      h('td', {}, c.user),
      h('td', {}, time(c.create_time)),
      h('td', {}, duration(c.create_time, c.end_time)),
      h('td', { class: 'state' }, badge(c.state)),
      h('td', { class: 'progress' }, progressBar(c.total_progress, c.state, { label: `Progress of command ${c.id}` })));
    rows.set(c.id, tr);
    return tr;
  }

  const first = list.total ? (page - 1) * pageSize + 1 : 0;
  const last = (page - 1) * pageSize + list.commands.length;
  replace(view,
    h('h1', {}, 'Commands'),
    h('form', { class: 'toolbar', role: 'search', onsubmit: (e) => {
      e.preventDefault();
      const f = e.target;
      go({ state: f.state.value, kind: f.kind.value, service_name: f.service_name.value, user: f.user.value.trim() });
    } },
      select('state', 'State', [['', 'Any'], ['IN_PROGRESS', 'Running'], ['COMPLETE', 'Complete'], ['FAILED', 'Failed']]),
      select('kind', 'Kind', [['', 'Any'], ...Object.keys(kindLabels).map((k) => [k, k.replace('_', ' ').toLowerCase()])]),
      select('service_name', 'Service', [['', 'Any'], ...services.map((s) => [s, s])]),
      h('label', {}, 'User', h('input', { name: 'user', value: filters.user, size: 12 })),
      h('button', { type: 'submit', 'data-key': 'filter' }, 'Filter'),
      Object.values(filters).some(Boolean) ? h('button', { type: 'button', onclick: () => { location.hash = '#/commands'; } }, 'Clear') : null),
    list.commands.length
      ? h('table', { id: 'commands' },
          h('thead', {}, h('tr', {}, ['ID', 'Command', 'User', 'Started', 'Duration', 'State', 'Progress'].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, list.commands.map(row)))
      : h('p', { class: 'empty' }, 'No command matches.'),
    h('nav', { class: 'pager', 'aria-label': 'Pages' },
      h('span', {}, `${first}–${last} of ${list.total}`),
      h('button', { type: 'button', 'data-key': 'newer', disabled: page <= 1, onclick: () => go({ page: page - 1 }) }, 'Newer'),
      h('button', { type: 'button', 'data-key': 'older', disabled: last >= list.total, onclick: () => go({ page: page + 1 }) }, 'Older')));

  function update(id, envelope) {
    const tr = rows.get(id);
    if (!tr) return;
    tr.querySelector('.state').replaceChildren(badge(envelope.state));
    tr.querySelector('.progress').replaceChildren(progressBar(envelope.total_progress, envelope.state, { label: `Progress of command ${id}` }));
    tr.classList.toggle('failed', envelope.state === 'FAILED');
  }

  const running = list.commands.filter((c) => !isFinished(c.state));
  for (const c of running.slice(0, maxStreams)) {
    streams.set(c.id, follow(c.id, (envelope) => update(c.id, envelope), () => streams.delete(c.id)));
  }
  // Past the streams' limit, and for commands started since, the list is read again.
  const more = running.length > maxStreams;
  if (more || page === 1) {
    const refresh = async () => {
      if (stopped) return;
      if (!document.hidden) {
        try {
          const fresh = await get('common/commands', { ...filters, limit: pageSize, offset: (page - 1) * pageSize });
          if (stopped) return;
          const known = fresh.commands.every((c) => rows.has(c.id));
          const typing = view.querySelector('form')?.contains(document.activeElement);
          // New commands on the first page: draw the page again (the router
          // closes this page's streams first, and keeps the focus), unless
          // the user is in the filters.
          if (!known && page === 1 && !typing) { window.dispatchEvent(new Event('steward:redraw')); return; }
          for (const c of fresh.commands) if (!streams.has(c.id)) update(c.id, { state: c.state, total_progress: c.total_progress });
        } catch (e) { /* shown on the next successful read */ }
      }
      timer = setTimeout(refresh, 3000);
    };
    timer = setTimeout(refresh, 3000);
  }
  return () => {
    stopped = true;
    clearTimeout(timer);
    for (const s of streams.values()) s.close();
  };
}

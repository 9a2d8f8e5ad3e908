// The cluster's configuration versions, on the configuration page: every save
// makes one. Each shows who saved it, when, and what it changed (old → new; a
// password only "changed"); Rollback asks in the same dialog as start and stop,
// with the plan the manager would run (a dry run), before anything happens.
import { get, errorText } from './api.js';
import { h, replace, time } from './dom.js';
import { canOperate, confirmWithPlan } from './actions.js';

const pageSize = 10;

export function versionsPanel(session) {
  const cid = session.cluster.id;
  const box = h('div', { id: 'config-versions' }, h('p', { class: 'loading' }, 'Loading versions…'));
  let offset = 0;

  async function load() {
    try {
      const list = await get(`config/cluster/${cid}/versions`, { offset, limit: pageSize });
      const newest = offset === 0 ? list.versions[0]?.version : undefined;
      const pager = h('div', { class: 'pager' },
        h('button', { type: 'button', disabled: offset === 0, 'data-key': 'versions-newer',
                      onclick: () => { offset = Math.max(0, offset - pageSize); load(); } }, 'Newer'),
        `${offset + 1}–${offset + list.versions.length} of ${list.total}`,
        h('button', { type: 'button', disabled: offset + pageSize >= list.total, 'data-key': 'versions-older',
                      onclick: () => { offset += pageSize; load(); } }, 'Older'));
      replace(box,
        h('table', { class: 'versions' },
          h('thead', {}, h('tr', {}, ['Version', 'When', 'Who', 'What changed', ''].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, list.versions.map((v) => row(v, v.version === newest)))),
        pager);
    } catch (e) {
      replace(box, h('p', { class: 'error' }, errorText(e)));
    }
  }

  function row(v, current) {
    const shown = v.changes.slice(0, 8);
    const more = v.changes.length - shown.length;
    const action = current ? h('span', { class: 'badge ok' }, 'CURRENT')
      : h('button', { type: 'button', 'data-key': `rollback-${v.version}`, disabled: !canOperate(session),
                      title: canOperate(session) ? undefined : 'Rolling back needs the operator role',
                      onclick: () => rollback(v) }, 'Rollback');
    return h('tr', { 'data-version': v.version },
      h('th', { scope: 'row' }, `#${v.version}`),
      h('td', {}, time(v.create_time)),
      h('td', {}, v.user, v.command_id ? h('div', { class: 'desc' }, h('a', { href: `#/commands/${v.command_id}` }, `command #${v.command_id}`)) : null),
      h('td', {}, h('div', {}, v.description),
        v.changes.length ? h('ul', { class: 'changes' }, shown.map(change), more > 0 ? h('li', {}, `… and ${more} more`) : null)
          : h('div', { class: 'desc' }, v.version === 1 ? 'The first version: every value as it was then.' : 'No value changed.')),
      h('td', {}, action));
  }

  function rollback(v) {
    return confirmWithPlan({
      path: `config/cluster/${cid}/versions/${v.version}/rollback`,
      title: `Roll back to version ${v.version}?`, confirmLabel: `Roll back to version ${v.version}`,
      intro: 'The values of that version that differ now are saved again, as a new version.',
      option: { id: 'dialog-restart', label: 'Restart the running instances these values change', checked: true },
      body: (checked) => ({ restart_affected_components: checked }),
      started: (id) => `Roll back to version ${v.version}: command #${id} started.`,
    });
  }

  load();
  return box;
}

function change(c) {
  const place = [c.service_name, c.role_name, c.host_name].filter(Boolean).join(' / ');
  const what = c.secret ? 'changed (password, not shown)'
    : `${c.old_value ?? '(not set)'} → ${c.new_value ?? '(not set)'}`;
  return h('li', { class: 'change' }, h('span', { class: 'desc' }, `${place}: `), h('b', {}, c.name), ` ${what}`);
}

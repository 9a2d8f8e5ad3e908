// The dashboard: cluster health, services with their actions, hosts with
// their latest metrics, and every instance. Refreshed every 5 s while shown.
import { get } from './api.js';
import { h, redraw, badge, ago } from './dom.js';
import { serviceAction, canOperate } from './actions.js';
import { addInstance, removeInstance, decommissionHost, forgetHost } from './placement.js';
import { rollingRestart } from './rolling.js';

const metricNames = ['hm_cpu_used', 'hm_mem_usage', 'hm_disk_usage'];

export async function render(view, _route, session) {
  const cid = session.cluster.id;
  let timer = null;
  let stopped = false;

  async function load() {
    const [health, services, hosts, instances, metrics] = await Promise.all([
      get(`cluster/${cid}/status`), get(`cluster/${cid}/services`), get(`cluster/${cid}/hosts`),
      get(`cluster/${cid}/instances`),
      get('monitor/metrics_info', { metric_names: metricNames.join(','), metric_period: 'REAL_TIME' }).catch(() => null),
    ]);
    if (stopped) return;
    draw(health.state, services.services, hosts.hosts, instances.instances, latest(metrics));
  }

  function draw(state, services, hosts, instances, metrics) {
    const running = services.filter((s) => s.operational_status === 'STARTED').length;
    const connected = hosts.filter((x) => x.status === 'CONNECTED').length;
    const busy = services.filter((s) => s.running_command).length;
    const stale = instances.filter((i) => i.config_stale).length;
    redraw(view,
      h('h1', {}, `Cluster ${session.cluster.name}`, badge(state), h('span', { class: 'updated', 'aria-live': 'off' }, `Updated ${new Date().toLocaleTimeString()}`)),
      h('p', { class: 'sub' }, [session.cluster.description, `stack ${session.cluster.stack}`].filter(Boolean).join(' · ')),
      h('div', { class: 'tiles' },
        tile('Cluster health', badge(state)),
        tile('Services started', `${running} / ${services.length}`),
        tile('Agents connected', `${connected} / ${hosts.length}`),
        tile('Commands running', busy ? h('a', { href: '#/commands?state=IN_PROGRESS', 'data-key': 'running' }, String(busy)) : '0'),
        tile('Instances to restart', stale ? h('span', { title: 'Saved configuration differs from the running one' }, String(stale)) : '0')),
      h('h2', { id: 'services' }, 'Services'),
      servicesTable(services, session),
      h('h2', { id: 'hosts' }, 'Hosts'),
      hostsTable(hosts, metrics, session, load),
      h('h2', { id: 'instances' }, 'Instances',
        h('button', {
          type: 'button', class: 'heading-action', 'data-key': 'add-instance', disabled: !canOperate(session),
          title: canOperate(session) ? undefined : 'Needs the operator role',
          onclick: () => addInstance(session, services.flatMap((s) => s.roles), hosts),
        }, 'Add instance')),
      instancesTable(instances, session));
  }

  async function tick() {
    if (stopped) return;
    // Not under an open dialog: the redraw would replace the button it returns the focus to.
    if (!document.hidden && !document.getElementById('dialog').open) {
      try { await load(); } catch (e) { if (e.status === 401) return; }
    }
    timer = setTimeout(tick, 5000);
  }

  await load();
  timer = setTimeout(tick, 5000);
  return () => { stopped = true; clearTimeout(timer); };
}

function tile(label, value) {
  return h('div', { class: 'tile' }, h('div', { class: 'label' }, label), h('div', { class: 'value' }, value));
}

function servicesTable(services, session) {
  const operate = canOperate(session);
  const why = operate ? undefined : 'Needs the operator role';
  return h('table', { 'aria-labelledby': 'services' },
    h('thead', {}, h('tr', {}, ['Service', 'Status', 'Health', 'Depends on', 'Running command', 'Actions'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, services.map((s) => h('tr', { 'data-service': s.name },
      h('th', { scope: 'row' }, s.name, h('div', { class: 'desc' }, s.description)),
      h('td', {}, badge(s.operational_status)),
      h('td', {}, badge(s.health_status)),
      h('td', {}, s.depends_on.length ? s.depends_on.join(', ') : '—'),
      h('td', {}, s.running_command ? h('a', { href: `#/commands/${s.running_command}`, 'data-key': `running:${s.name}` }, `#${s.running_command}`) : '—'),
      h('td', {}, h('div', { class: 'actions' },
        ['start', 'stop', 'restart'].map((action) => h('button', {
          type: 'button', disabled: !operate, title: why, 'data-key': `${action}:${s.name}`, 'data-action': action,
          onclick: () => serviceAction(session, s, action),
        }, action[0].toUpperCase() + action.slice(1))),
        h('button', {
          type: 'button', disabled: !operate, title: why, 'data-key': `rolling:${s.name}`, 'data-action': 'rolling_restart',
          onclick: () => rollingRestart(session, s),
        }, 'Rolling restart'),
        h('a', { class: 'button', href: `#/services/${encodeURIComponent(s.name)}/configuration`, 'data-key': `config:${s.name}` }, 'Configure')))))));
}

function hostsTable(hosts, metrics, session, reload) {
  const operate = canOperate(session);
  const why = operate ? undefined : 'Needs the operator role';
  const pct = (host, name) => {
    const v = metrics[name]?.[host];
    return v === undefined ? '—' : `${Number(v).toFixed(1)} %`;
  };
  return h('table', { 'aria-labelledby': 'hosts' },
    h('thead', {}, h('tr', {}, ['Host', 'Address', 'Agent', 'Last heartbeat', 'CPU', 'Memory', 'Disk', 'Instances', 'Actions'].map((t, i) =>
      h('th', { scope: 'col', class: i >= 4 && i <= 6 ? 'num' : undefined }, t)))),
    h('tbody', {}, hosts.map((x) => h('tr', { 'data-host': x.host_name },
      h('th', { scope: 'row' }, x.host_name, x.agent_version ? h('div', { class: 'desc' }, `agent ${x.agent_version}`) : null),
      h('td', { 'data-ip': x.ip ?? '' }, h('span', { class: 'mono' }, x.ip ?? '—'), hostFacts(x)),
      h('td', {}, badge(x.status), agentState(x.agent_state),
        x.state === 'DECOMMISSIONED' ? h('span', { class: 'badge warn', 'data-host-state': x.state }, 'DECOMMISSIONED') : null),
      h('td', {}, ago(x.last_heartbeat)),
      h('td', { class: 'num' }, pct(x.host_name, 'hm_cpu_used')),
      h('td', { class: 'num' }, pct(x.host_name, 'hm_mem_usage')),
      h('td', { class: 'num' }, pct(x.host_name, 'hm_disk_usage')),
      h('td', {}, x.instances.length ? x.instances.join(', ') : '—'),
      h('td', {}, h('div', { class: 'actions' },
        h('button', {
          type: 'button', disabled: !operate || x.state === 'DECOMMISSIONED', title: why, 'data-key': `decommission:${x.host_name}`,
          onclick: () => decommissionHost(session, x),
        }, 'Decommission'),
        // Only a host without instances can be forgotten: decommission it first.
        h('button', {
          type: 'button', disabled: !operate || x.instances.length > 0, 'data-key': `forget:${x.host_name}`,
          title: why ?? (x.instances.length ? 'Decommission it first' : undefined),
          onclick: () => forgetHost(session, x, reload),
        }, 'Forget')))))));
}

// What the agent reported of its host: cores, memory, OS, under its address.
function hostFacts(x) {
  const facts = [
    x.cores !== undefined ? `${x.cores} cores` : null,
    x.memory_mib !== undefined ? `${(x.memory_mib / 1024).toFixed(1)} GiB` : null,
    x.os ?? null,
  ].filter((f) => f !== null);
  return facts.length ? h('div', { class: 'desc' }, facts.join(' · ')) : null;
}

// A host waiting for an admin's approval, or shut out, says so beside its agent's status.
function agentState(state) {
  const shown = { PENDING: ['warn', 'PENDING APPROVAL'], REVOKED: ['bad', 'REVOKED'] }[state];
  return shown ? h('span', { class: `badge ${shown[0]}`, 'data-agent-state': state }, shown[1]) : null;
}

function instancesTable(instances, session) {
  const operate = canOperate(session);
  return h('table', { 'aria-labelledby': 'instances' },
    h('thead', {}, h('tr', {}, ['Instance', 'Service', 'Host', 'Status', 'Health', 'PID', 'Configuration', 'Actions'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, instances.map((i) => h('tr', { 'data-instance': i.name },
      h('th', { scope: 'row' }, i.role_name),
      h('td', {}, i.service_name),
      h('td', {}, i.host_name),
      h('td', {}, badge(i.operational_status)),
      h('td', {}, badge(i.health_status)),
      h('td', { class: 'num mono' }, i.pid ?? '—'),
      h('td', {}, i.config_stale ? badge('RESTART NEEDED', 'restart needed') : 'current'),
      h('td', {}, h('button', {
        type: 'button', disabled: !operate, title: operate ? undefined : 'Needs the operator role', 'data-key': `remove:${i.name}`,
        onclick: () => removeInstance(session, i),
      }, 'Remove'))))));
}

// The newest value of each metric per host, from metrics_info's REAL_TIME answer.
function latest(metrics) {
  const out = {};
  for (const [name, points] of Object.entries(metrics?.metric_datas ?? {})) {
    out[name] = {};
    const times = {};
    for (const p of points) {
      if (times[p.node] === undefined || p.time > times[p.node]) { times[p.node] = p.time; out[name][p.node] = p.value; }
    }
  }
  return out;
}

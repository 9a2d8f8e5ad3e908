// Placement from the hosts view: add an instance of a role to a host, remove
// one, decommission a host, forget one. Each is confirmed in a dialog; the
// three that are commands first show the plan the manager would run (a dry
// run), then follow the command on its page.
import { call, errorText } from './api.js';
import { h, notify, confirmDialog } from './dom.js';
import { confirmWithPlan } from './actions.js';

const base = (session) => `maintain/cluster/${session.cluster.id}`;

// Role and host chosen in the dialog; hosts that take no instances are not offered.
export function addInstance(session, roles, hosts) {
  const role = h('select', { name: 'role', 'data-label': 'Role' }, roles.map((r) => h('option', { value: r }, r)));
  const host = h('select', { name: 'host', 'data-label': 'Host' },
    hosts.filter((x) => x.state !== 'DECOMMISSIONED').map((x) => h('option', { value: x.host_name }, x.host_name)));
  const start = h('input', { type: 'checkbox', name: 'start', checked: true, 'data-label': 'Start it' });
  const inputs = [role, host, start];
  return confirmWithPlan({
    path: `${base(session)}/instances`, title: 'Add an instance', confirmLabel: 'Add instance', inputs,
    fields: h('div', { class: 'fields' }, inputs.map((input) => h('label', {}, input.dataset.label, ' ', input))),
    body: () => ({ role: role.value, host: host.value, start: start.checked }),
    started: (id) => `Add ${role.value}@${host.value}: command #${id} started.`,
  });
}

export function removeInstance(session, instance) {
  return confirmWithPlan({
    path: `${base(session)}/instances/${encodeURIComponent(instance.name).replace(/%40/g, '@')}`, method: 'DELETE',
    title: `Remove ${instance.name}?`, confirmLabel: `Remove ${instance.name}`, danger: true,
    started: (id) => `Remove ${instance.name}: command #${id} started.`,
  });
}

export function decommissionHost(session, host) {
  return confirmWithPlan({
    path: `${base(session)}/hosts/${encodeURIComponent(host.host_name)}/decommission`,
    title: `Decommission ${host.host_name}?`, confirmLabel: `Decommission ${host.host_name}`, danger: true,
    started: (id) => `Decommission ${host.host_name}: command #${id} started.`,
  });
}

// Not a command: asked once, then done.
export async function forgetHost(session, host, redraw) {
  const yes = await confirmDialog({ title: `Forget ${host.host_name}?`, confirm: `Forget ${host.host_name}`, danger: true },
    h('p', {}, `${host.host_name} leaves the cluster and its agent's credential is revoked. Its agent can join again with the join token.`));
  if (!yes) return;
  try {
    // With a body: a cookie-authenticated change must be sent as JSON (CSRF), DELETE included.
    await call(`${base(session)}/hosts/${encodeURIComponent(host.host_name)}`, { method: 'DELETE', body: {} });
    notify(`Host ${host.host_name} forgotten.`);
    redraw();
  } catch (e) {
    notify(errorText(e), 'bad');
  }
}

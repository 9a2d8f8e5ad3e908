// Placement from the hosts view: add an instance of a role to a host, remove
// one, decommission a host, forget one. Each is confirmed in a dialog; the
// three that are commands first show the plan the manager would run (a dry
// run), then follow the command on its page.
import { call, errorText } from './api.js';
import { h, notify, confirmDialog } from './dom.js';
import { commandDialog } from './actions.js';

const base = (session) => `maintain/cluster/${session.cluster.id}`;

// Role and host chosen in the dialog; hosts that take no instances are not offered.
export function addInstance(session, roles, hosts) {
  const role = h('select', { name: 'role', 'data-label': 'Role' }, roles.map((r) => h('option', { value: r }, r)));
  const host = h('select', { name: 'host', 'data-label': 'Host' },
    hosts.filter((x) => x.state !== 'DECOMMISSIONED').map((x) => h('option', { value: x.host_name }, x.host_name)));
  const start = h('input', { type: 'checkbox', name: 'start', checked: true, 'data-label': 'Start it' });
  const inputs = [role, host, start];
  return commandDialog({
    title: 'Add an instance', verb: 'Add instance', inputs,
    fields: h('div', { class: 'fields' }, inputs.map((input) => h('label', {}, input.dataset.label, ' ', input))),
    request: () => ({ method: 'POST', path: `${base(session)}/instances`, body: { role: role.value, host: host.value, start: start.checked } }),
  });
}

export function removeInstance(session, instance) {
  return commandDialog({
    title: `Remove ${instance.name}?`, verb: `Remove ${instance.name}`, danger: true,
    request: () => ({ method: 'DELETE', path: `${base(session)}/instances/${encodeURIComponent(instance.name).replace(/%40/g, '@')}` }),
  });
}

export function decommissionHost(session, host) {
  return commandDialog({
    title: `Decommission ${host.host_name}?`, verb: `Decommission ${host.host_name}`, danger: true,
    request: () => ({ method: 'POST', path: `${base(session)}/hosts/${encodeURIComponent(host.host_name)}/decommission` }),
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

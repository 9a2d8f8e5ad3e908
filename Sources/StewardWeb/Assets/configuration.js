// The configuration editor of one service: every parameter at its level
// (service, role, instance). Each edit is checked by the manager itself (a
// dry-run save), so the errors shown inline are exactly the ones a save would
// meet, and the plan says which running instances a save restarts.
import { get, post, errorText } from './api.js';
import { h, replace, notify } from './dom.js';
import { canOperate, planList } from './actions.js';
import { versionsPanel } from './versions.js';

const key = (p) => [p.level, p.role_name ?? '', p.host_name ?? '', p.name].join('|');

export async function render(view, { params: [serviceName] }, session) {
  const cid = session.cluster.id;
  const [config, instances] = await Promise.all([
    get(`cluster/${cid}/services/${encodeURIComponent(serviceName)}/configurations`),
    get(`cluster/${cid}/instances`, { service_name: serviceName }),
  ]);
  const hostsOf = (role) => instances.instances.filter((i) => i.role_name === role).map((i) => i.host_name).sort();
  const operate = canOperate(session);
  const fields = new Map();      // key -> {param, input, error, row}
  let timer = null;
  let checking = 0;
  let valid = true;

  const restart = h('input', { type: 'checkbox', id: 'restart-affected', checked: true });
  const planBox = h('div', { class: 'panel', id: 'save-plan', 'aria-live': 'polite' }, h('p', { class: 'empty' }, 'No changes.'));
  const summary = h('p', { class: 'error', role: 'alert', hidden: true });
  const save = h('button', { type: 'submit', class: 'primary', disabled: true }, 'Save');
  const revert = h('button', { type: 'button', disabled: true, onclick: revertAll }, 'Revert');

  function changes() {
    return [...fields.values()].filter((f) => f.param.added || f.input.value !== f.param.value ||
      (f.param.type === 'PASSWORD' && f.input.value !== ''));
  }

  function body(list) {
    const component = { component_name: serviceName, configurations: [], children: [] };
    const role = (name) => {
      let r = component.children.find((c) => c.role_name === name);
      if (!r) { r = { role_name: name, configurations: [], children: [] }; component.children.push(r); }
      return r;
    };
    for (const f of list) {
      const item = { name: f.param.name, value: f.input.value };
      if (f.param.level === 'SERVICE') component.configurations.push(item);
      else if (f.param.level === 'ROLE') role(f.param.role_name).configurations.push(item);
      else {
        const r = role(f.param.role_name);
        let node = r.children.find((c) => c.node.host_name === f.param.host_name);
        if (!node) { node = { node: { host_name: f.param.host_name }, configurations: [] }; r.children.push(node); }
        node.configurations.push(item);
      }
    }
    return { configurations_summary: { restart_affected_components: restart.checked, components: [component] } };
  }

  function showErrors(problems) {
    for (const f of fields.values()) { f.error.textContent = ''; f.error.hidden = true; f.input.removeAttribute('aria-invalid'); }
    for (const p of problems) {
      const level = p.host_name ? 'INSTANCE' : p.role_name ? 'ROLE' : 'SERVICE';
      const f = fields.get([level, p.role_name ?? '', p.host_name ?? '', p.name].join('|'));
      if (!f) continue;
      f.error.textContent = p.message;
      f.error.hidden = false;
      f.input.setAttribute('aria-invalid', 'true');
    }
  }

  async function check() {
    const list = changes();
    for (const f of fields.values()) f.row.classList.toggle('modified', list.includes(f));
    revert.disabled = list.length === 0;
    if (!list.length) {
      showErrors([]); summary.hidden = true; valid = true; save.disabled = true;
      replace(planBox, h('p', { class: 'empty' }, 'No changes.'));
      return;
    }
    const mine = ++checking;
    save.disabled = true;
    try {
      const envelope = await post('config/cluster/' + cid + '/save', body(list), { dry_run: 'true' });
      if (mine !== checking) return;
      showErrors([]); summary.hidden = true; valid = true;
      replace(planBox, ...restartPlan(envelope.res_obj, restart.checked));
      save.disabled = !operate;
    } catch (e) {
      if (mine !== checking) return;
      valid = false;
      showErrors(e.resObj?.problems ?? []);
      summary.textContent = errorText(e);
      summary.hidden = false;
      replace(planBox, h('p', { class: 'empty' }, 'Fix the values marked above to see what a save would do.'));
    }
  }

  // Save waits for the check of what is in the fields now.
  function schedule() { save.disabled = true; valid = false; clearTimeout(timer); timer = setTimeout(check, 250); }

  // Drawn again from the manager's values: edits and added overrides go.
  function revertAll() { window.dispatchEvent(new Event('steward:redraw')); }

  async function submit(event) {
    event.preventDefault();
    const list = changes();
    if (!list.length || !valid) return;
    save.disabled = true;
    try {
      const envelope = await post('config/cluster/' + cid + '/save', body(list));
      notify(`Configuration of ${serviceName} saved: command #${envelope.id}.`);
      location.hash = `#/commands/${envelope.id}`;
    } catch (e) {
      showErrors(e.resObj?.problems ?? []);
      summary.textContent = errorText(e);
      summary.hidden = false;
      save.disabled = false;
    }
  }

  function field(p) {
    const id = `cfg-${fields.size}`;
    const error = h('div', { class: 'field-error', id: `${id}-error`, hidden: true });
    const common = { id, name: p.name, 'aria-describedby': `${id}-error ${id}-hint`, disabled: !operate, 'data-key': key(p) };
    let input;
    if (p.type === 'BOOL') {
      input = h('select', common, ['true', 'false'].map((v) => h('option', { value: v, selected: v === p.value }, v)));
    } else if (p.type === 'ENUM') {
      // The manager's list, as data. A saved value it no longer allows stays
      // on offer: otherwise the select would show (and a save send) another.
      const allowed = p.allowed_values ?? [];
      const options = allowed.includes(p.value) ? allowed : [p.value, ...allowed];
      input = h('select', common, options.map((v) => h('option', { value: v, selected: v === p.value }, v)));
    } else {
      input = h('input', { ...common, type: p.type === 'PASSWORD' ? 'password' : 'text',
        inputmode: p.type === 'INT' || p.type === 'PORT' ? 'numeric' : undefined,
        value: p.type === 'PASSWORD' ? '' : p.value, placeholder: p.type === 'PASSWORD' ? 'unchanged' : undefined,
        autocomplete: 'off', spellcheck: 'false' });
    }
    // 'input' only (selects send it too): a 'change' on blur would disable
    // Save just as the user clicks it.
    input.addEventListener('input', schedule);
    const scope = p.level === 'SERVICE' ? 'service' : p.level === 'ROLE' ? `role ${p.role_name}` : `${p.role_name}@${p.host_name}`;
    const row = h('tr', { 'data-param': key(p) },
      h('th', { scope: 'row' }, h('label', { for: id }, p.name), h('div', { class: 'desc' }, p.description)),
      h('td', {}, scope, p.level === 'ROLE' && operate ? overrideChooser(p) : null),
      h('td', {}, input, error),
      h('td', { class: 'desc', id: `${id}-hint` }, p.item_conf, p.type !== 'PASSWORD' ? h('div', {}, `default ${p.default_value}`) : null));
    fields.set(key(p), { param: p, input, error, row });
    return row;
  }

  // A role's value holds on every host of the role unless an instance sets
  // its own: this adds an instance row for one host, starting from the role's value.
  function overrideChooser(p) {
    // Not the hosts that have their own value already (rows below, not drawn yet).
    const taken = (host) => config.parameters.some((q) => key(q) === key({ ...p, level: 'INSTANCE', host_name: host }));
    const free = hostsOf(p.role_name).filter((host) => !taken(host));
    if (!free.length) return null;
    // A button adds the row, not the select's change: arrow keys on a closed
    // select change it one host at a time.
    const chooser = h('select', { class: 'override', 'aria-label': `Host to set ${p.name} of ${p.role_name} on`, 'data-key': `override:${key(p)}` },
      free.map((host) => h('option', { value: host }, host)));
    const add = h('button', { type: 'button', class: 'override', 'data-key': `override-add:${key(p)}` }, 'Set on this host');
    add.addEventListener('click', () => {
      const host = chooser.value;
      if (!host) return;
      const added = { ...p, level: 'INSTANCE', host_name: host, added: true };
      const row = field(added);
      // Below the role's row and any overrides already there.
      let after = chooser.closest('tr');
      while (after.nextElementSibling?.dataset.param?.startsWith(`INSTANCE|${p.role_name}|`) &&
             after.nextElementSibling.dataset.param.endsWith(`|${p.name}`)) after = after.nextElementSibling;
      after.after(row);
      chooser.querySelector(`option[value="${CSS.escape(host)}"]`).remove();
      if (!chooser.options.length) chooser.parentElement.remove();
      fields.get(key(added)).input.focus();
      schedule();
    });
    return h('div', { class: 'override-box' }, chooser, ' ', add);
  }

  // Service level first, then each role's parameters in the stack's order,
  // each followed by its instance overrides.
  const first = new Map();
  config.parameters.forEach((p, i) => { const k = `${p.role_name ?? ''}|${p.name}`; if (!first.has(k)) first.set(k, i); });
  const ordered = [...config.parameters].sort((a, b) => rank(a) - rank(b) ||
    (a.role_name ?? '').localeCompare(b.role_name ?? '') ||
    first.get(`${a.role_name ?? ''}|${a.name}`) - first.get(`${b.role_name ?? ''}|${b.name}`) ||
    (a.level === 'INSTANCE') - (b.level === 'INSTANCE') || (a.host_name ?? '').localeCompare(b.host_name ?? ''));
  replace(view,
    h('p', { class: 'crumbs' }, h('a', { href: '#/' }, 'Dashboard'), ' / ', serviceName),
    h('h1', {}, `Configuration of ${serviceName}`),
    h('p', { class: 'sub' }, 'A value set for a role applies to all its instances unless an instance sets its own.',
      operate ? '' : ' You can read the configuration; changing it needs the operator role.'),
    h('form', { onsubmit: submit, id: 'config-form' },
      h('table', {},
        h('thead', {}, h('tr', {}, ['Parameter', 'Applies to', 'Value', 'Allowed'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, ordered.map(field))),
      h('h2', {}, 'What a save does'),
      h('label', {}, restart, ' Restart the running instances these values change'),
      planBox,
      summary,
      h('div', { class: 'actions' }, save, revert)),
    h('h2', {}, 'Versions'),
    h('p', { class: 'sub' }, 'Every save of the cluster\'s configuration, any service\'s, makes a version.'),
    versionsPanel(session));
  restart.addEventListener('change', schedule);
  return () => clearTimeout(timer);
}

function rank(p) { return p.level === 'SERVICE' ? 0 : 1; }

// The dry run's plan: the save step, then any stop/start steps of instances
// whose effective configuration changes.
function restartPlan(document, restartChecked) {
  const steps = document?.step_list ?? [];
  const restarted = new Set();
  for (const s of steps.slice(1)) for (const t of s.tasks) restarted.add(t.instance);
  const headline = restarted.size
    ? h('p', { id: 'restart-summary' }, h('b', {}, `A save restarts ${restarted.size} instance${restarted.size > 1 ? 's' : ''}: `), [...restarted].join(', '))
    : h('p', { id: 'restart-summary' }, h('b', {}, 'A save restarts nothing'),
        restartChecked ? ': no running instance uses these values.' : ': running instances keep their old values until restarted.');
  return [headline, planList(document)];
}

// Start, stop and restart (and, through commandDialog, the placement
// commands), each confirmed in a dialog that shows the plan the manager would
// run (a dry run), so the operator sees every instance it touches before
// anything happens.
import { call, errorText } from './api.js';
import { h, replace, openDialog, dialogForm, notify } from './dom.js';

export function canOperate(session) { return session.role === 'operator' || session.role === 'admin'; }

const words = {
  start: { verb: 'Start', scope: 'Also start the services it depends on, first' },
  stop: { verb: 'Stop', scope: 'Also stop the services that depend on it, first' },
  restart: { verb: 'Restart', scope: 'Also restart the services that depend on it' },
};

export function serviceAction(session, service, action) {
  const path = `maintain/cluster/${session.cluster.id}/service/${encodeURIComponent(service.name)}/${action}`;
  const w = words[action];
  const scope = h('input', { type: 'checkbox', id: 'dialog-scope' });
  return commandDialog({
    title: `${w.verb} ${service.name}?`, verb: `${w.verb} ${service.name}`, danger: action === 'stop',
    fields: [h('label', {}, scope, ' ', w.scope)], inputs: [scope],
    request: () => ({ method: 'POST', path, body: { only_self: !scope.checked } }),
  });
}

// A command confirmed in a dialog that first shows the plan the manager would
// run (a dry run of the same request), then runs it on Confirm and opens the
// command's page. `request()` gives {method, path, body}; a change of one of
// `inputs` asks for the plan again; `fields` are drawn above the plan.
export function commandDialog({ title, verb, danger = false, request, fields = [], inputs = [] }) {
  return openDialog((close) => {
    const planBox = h('div', { class: 'plan', 'aria-live': 'polite' }, h('p', { class: 'loading' }, 'Working out the plan…'));
    const errorBox = h('p', { class: 'error', role: 'alert', hidden: true });
    const confirm = h('button', { type: 'submit', class: danger ? 'danger' : 'primary', disabled: true }, verb);
    let asked = 0;

    async function plan() {
      const mine = ++asked;
      confirm.disabled = true;
      errorBox.hidden = true;
      const { method, path, body } = request();
      try {
        const envelope = await call(path, { method, body: body ?? {}, params: { dry_run: 'true' } });
        // Only the answer to the latest question: an input may have changed since.
        if (mine !== asked) return;
        replace(planBox, planList(envelope.res_obj));
        confirm.disabled = false;
      } catch (e) {
        if (mine !== asked) return;
        replace(planBox, h('p', { class: 'error' }, errorText(e)));
      }
    }
    for (const input of inputs) input.addEventListener('change', plan);

    async function submit() {
      confirm.disabled = true;
      const { method, path, body } = request();
      try {
        const envelope = await call(path, { method, body: body ?? {} });
        close(envelope.id);
        notify(`${verb}: command #${envelope.id} started.`);
        location.hash = `#/commands/${envelope.id}`;
      } catch (e) {
        errorBox.textContent = errorText(e);
        errorBox.hidden = false;
        confirm.disabled = false;
      }
    }

    plan();
    return dialogForm({ title, close, onsubmit: submit, confirm },
      fields,
      h('p', { class: 'desc' }, 'The manager will run these steps, in order:'),
      planBox,
      errorBox);
  });
}

export function planList(document) {
  const steps = document?.step_list ?? [];
  if (!steps.length) return h('p', { class: 'empty' }, 'Nothing to do.');
  return h('ol', {}, steps.map((s) => h('li', {},
    h('b', {}, s.name), ': ', s.description,
    s.tasks.length ? h('div', { class: 'desc' }, s.tasks.map((t) => t.instance).join(', ')) : null)));
}

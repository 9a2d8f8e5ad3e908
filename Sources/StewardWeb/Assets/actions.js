// Start, stop and restart (and rollback, the rolling restart and the placement
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
  const w = words[action];
  return confirmWithPlan({
    path: `maintain/cluster/${session.cluster.id}/service/${encodeURIComponent(service.name)}/${action}`,
    title: `${w.verb} ${service.name}?`, confirmLabel: `${w.verb} ${service.name}`, danger: action === 'stop',
    option: { id: 'dialog-scope', label: w.scope, checked: false },
    body: (checked) => ({ only_self: !checked }),
    started: (id) => `${w.verb} ${service.name}: command #${id} started.`,
  });
}

// The one dialog of every command a button starts (start, stop, restart,
// rollback, and the placement commands): the plan the manager would run (a
// dry run of the same request), asked again when the option or one of
// `inputs` changes, or when `controls` (a form of the caller's, given the
// function that asks again) say so; Confirm sends it and opens the command.
// `fields` are drawn above the plan; `body(checked)` is the request's body.
export function confirmWithPlan({ path, method = 'POST', title, confirmLabel, danger = false, intro, option, fields = [],
  inputs = [], controls, body = () => ({}), started }) {
  return openDialog((close) => {
    const planBox = h('div', { class: 'plan', 'aria-live': 'polite' }, h('p', { class: 'loading' }, 'Working out the plan…'));
    const box = option ? h('input', { type: 'checkbox', id: option.id, checked: option.checked }) : null;
    const send = (params) => call(path, { method, body: body(box?.checked) ?? {}, params });
    const errorBox = h('p', { class: 'error', role: 'alert', hidden: true });
    const confirm = h('button', { type: 'submit', class: danger ? 'danger' : 'primary', disabled: true }, confirmLabel);
    let asked = 0;

    async function plan() {
      const mine = ++asked;
      confirm.disabled = true;
      errorBox.hidden = true;
      try {
        const envelope = await send({ dry_run: 'true' });
        // Only the answer to the latest question: the checkbox may have changed since.
        if (mine !== asked) return;
        replace(planBox, planList(envelope.res_obj));
        confirm.disabled = false;
      } catch (e) {
        // The manager's refusal, in its words (a busy service; a rollback that would change nothing).
        if (mine !== asked) return;
        replace(planBox, h('p', { class: 'error' }, errorText(e)));
      }
    }
    for (const input of [box, ...inputs]) input?.addEventListener('change', plan);
    const form = controls ? controls(plan) : null;

    async function submit() {
      confirm.disabled = true;
      try {
        const envelope = await send();
        close(envelope.id);
        notify(started(envelope.id));
        location.hash = `#/commands/${envelope.id}`;
      } catch (e) {
        errorBox.textContent = errorText(e);
        errorBox.hidden = false;
        confirm.disabled = false;
      }
    }

    plan();
    return dialogForm({ title, close, onsubmit: submit, confirm },
      intro ? h('p', { class: 'desc' }, intro) : null,
      box ? h('label', {}, box, ' ', option.label) : null,
      fields,
      form,
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

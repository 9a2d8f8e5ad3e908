// Start, stop and restart, each confirmed in a dialog that shows the plan
// the manager would run (a dry run), so the operator sees every instance it
// touches before anything happens. The rolling restart (rolling.js) uses the same dialog.
import { post, errorText } from './api.js';
import { h, replace, openDialog, dialogForm, notify } from './dom.js';

export function canOperate(session) { return session.role === 'operator' || session.role === 'admin'; }

const words = {
  start: { verb: 'Start', scope: 'Also start the services it depends on, first' },
  stop: { verb: 'Stop', scope: 'Also stop the services that depend on it, first' },
  restart: { verb: 'Restart', scope: 'Also restart the services that depend on it' },
};

export function serviceAction(session, service, action) {
  const w = words[action];
  const scope = h('input', { type: 'checkbox', id: 'dialog-scope' });
  return commandDialog({
    path: `maintain/cluster/${session.cluster.id}/service/${encodeURIComponent(service.name)}/${action}`,
    title: `${w.verb} ${service.name}?`,
    confirmText: `${w.verb} ${service.name}`,
    danger: action === 'stop',
    body: () => ({ only_self: !scope.checked }),
    done: (id) => `${w.verb} ${service.name}: command #${id} started.`,
    controls: (replan) => {
      scope.addEventListener('change', replan);
      return [h('label', {}, scope, ' ', w.scope)];
    },
  });
}

// The dialog every service command is confirmed in: `controls` (given the
// function that asks for the plan again) above the plan of the request as
// `body` makes it now (a dry run: the manager's refusal takes the plan's
// place and Confirm is disabled); Confirm posts it and opens the command.
export function commandDialog({ path, title, confirmText, danger = false, body, done, controls }) {
  return openDialog((close) => {
    const planBox = h('div', { class: 'plan', 'aria-live': 'polite' }, h('p', { class: 'loading' }, 'Working out the plan…'));
    const errorBox = h('p', { class: 'error', role: 'alert', hidden: true });
    const confirm = h('button', { type: 'submit', class: danger ? 'danger' : 'primary', disabled: true }, confirmText);
    let asked = 0;

    async function plan() {
      const mine = ++asked;
      confirm.disabled = true;
      errorBox.hidden = true;
      try {
        const envelope = await post(path, body(), { dry_run: 'true' });
        // Only the answer to the latest question: the controls may have changed since.
        if (mine !== asked) return;
        replace(planBox, planList(envelope.res_obj));
        confirm.disabled = false;
      } catch (e) {
        if (mine !== asked) return;
        replace(planBox, h('p', { class: 'error' }, errorText(e)));
      }
    }

    async function submit() {
      confirm.disabled = true;
      try {
        const envelope = await post(path, body());
        close(envelope.id);
        notify(done(envelope.id));
        location.hash = `#/commands/${envelope.id}`;
      } catch (e) {
        errorBox.textContent = errorText(e);
        errorBox.hidden = false;
        confirm.disabled = false;
      }
    }

    const above = controls(plan);
    plan();
    return dialogForm({ title, close, onsubmit: submit, confirm },
      above,
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

// A rolling restart: a small form (batch size, pause, failure tolerance) in
// the same confirm dialog as restart, whose plan (a dry run) redraws as the
// values change, so the operator sees every batch before anything happens.
import { post, errorText } from './api.js';
import { h, replace, openDialog, dialogForm, notify } from './dom.js';
import { planList } from './actions.js';

function field(id, label, value, min, max, hint) {
  const input = h('input', { type: 'number', id, name: id, value: String(value), min: String(min), max: max === undefined ? undefined : String(max), step: '1', required: true, inputmode: 'numeric' });
  return { input, row: h('label', { for: id, class: 'field' }, label, ' ', input, h('span', { class: 'desc' }, ' ', hint)) };
}

export function rollingRestart(session, service) {
  const path = `maintain/cluster/${session.cluster.id}/service/${encodeURIComponent(service.name)}/rolling_restart`;
  return openDialog((close) => {
    const planBox = h('div', { class: 'plan', 'aria-live': 'polite' }, h('p', { class: 'loading' }, 'Working out the batches…'));
    const errorBox = h('p', { class: 'error', role: 'alert', hidden: true });
    const confirm = h('button', { type: 'submit', class: 'primary', disabled: true }, `Rolling restart ${service.name}`);
    const batch = field('rolling-batch-size', 'Batch size', 1, 1, undefined, 'instances restarted together');
    const pause = field('rolling-pause-seconds', 'Pause', 0, 0, 3600, 'seconds between batches');
    const tolerance = field('rolling-failure-tolerance', 'Failure tolerance', 0, 0, undefined, 'failed instances borne before it stops');
    // Numbers as typed: the manager checks the bounds and says what is wrong.
    const body = () => ({
      batch_size: Number(batch.input.value),
      pause_seconds: Number(pause.input.value),
      failure_tolerance: Number(tolerance.input.value),
    });
    let asked = 0;
    let timer;

    async function plan() {
      const mine = ++asked;
      confirm.disabled = true;
      errorBox.hidden = true;
      try {
        const envelope = await post(path, body(), { dry_run: 'true' });
        if (mine !== asked) return;
        replace(planBox, planList(envelope.res_obj));
        confirm.disabled = false;
      } catch (e) {
        if (mine !== asked) return;
        replace(planBox, h('p', { class: 'error' }, errorText(e)));
      }
    }
    // Typing a number is several inputs; ask once it settles.
    const schedule = () => { clearTimeout(timer); timer = setTimeout(plan, 250); };
    for (const f of [batch, pause, tolerance]) f.input.addEventListener('input', schedule);

    async function submit() {
      confirm.disabled = true;
      try {
        const envelope = await post(path, body());
        close(envelope.id);
        notify(`Rolling restart ${service.name}: command #${envelope.id} started.`);
        location.hash = `#/commands/${envelope.id}`;
      } catch (e) {
        errorBox.textContent = errorText(e);
        errorBox.hidden = false;
        confirm.disabled = false;
      }
    }

    plan();
    return dialogForm({ title: `Rolling restart ${service.name}?`, close, onsubmit: submit, confirm },
      h('p', { class: 'desc' }, 'Only running instances are restarted, a batch at a time; each batch begins once the one before is healthy again.'),
      batch.row, pause.row, tolerance.row,
      h('p', { class: 'desc' }, 'The manager will run these steps, in order:'),
      planBox,
      errorBox);
  });
}

// A rolling restart: a small form (batch size, pause, failure tolerance) in
// the same confirm dialog as restart, whose plan (a dry run) redraws as the
// values change, so the operator sees every batch before anything happens.
import { h } from './dom.js';
import { confirmWithPlan } from './actions.js';

function field(id, label, value, min, max, hint) {
  const input = h('input', { type: 'number', id, name: id, value: String(value), min: String(min), max: max === undefined ? undefined : String(max), step: '1', required: true, inputmode: 'numeric' });
  return { input, row: h('label', { for: id, class: 'field' }, label, ' ', input, h('span', { class: 'desc' }, ' ', hint)) };
}

export function rollingRestart(session, service) {
  const batch = field('rolling-batch-size', 'Batch size', 1, 1, undefined, 'instances restarted together');
  const pause = field('rolling-pause-seconds', 'Pause', 0, 0, 3600, 'seconds between batches');
  const tolerance = field('rolling-failure-tolerance', 'Failure tolerance', 0, 0, undefined, 'failed instances borne before it stops');
  return confirmWithPlan({
    path: `maintain/cluster/${session.cluster.id}/service/${encodeURIComponent(service.name)}/rolling_restart`,
    title: `Rolling restart ${service.name}?`,
    confirmLabel: `Rolling restart ${service.name}`,
    intro: 'Only running instances are restarted, a batch at a time; each batch begins once the one before is healthy again.',
    // Numbers as typed: the manager checks the bounds and says what is wrong.
    body: () => ({
      batch_size: Number(batch.input.value),
      pause_seconds: Number(pause.input.value),
      failure_tolerance: Number(tolerance.input.value),
    }),
    started: (id) => `Rolling restart ${service.name}: command #${id} started.`,
    controls: (replan) => {
      // Typing a number is several inputs; ask once it settles.
      let timer;
      const schedule = () => { clearTimeout(timer); timer = setTimeout(replan, 250); };
      for (const f of [batch, pause, tolerance]) f.input.addEventListener('input', schedule);
      return [batch.row, pause.row, tolerance.row];
    },
  });
}

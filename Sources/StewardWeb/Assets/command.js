// One command: its state and progress, its steps and their tasks, each
// task's output, and abort or retry. Follows the event stream while it runs.
// The progress document lists a bounded choice of a big step's tasks (failed
// first, then running, then the rest; in id order) and counts them all; "Show more" pages the
// rest from /steps/{index}/tasks.
import { call, get, post, follow, errorText, isFinished } from './api.js';
import { h, redraw, badge, progressBar, time, duration, commandTitle, confirmDialog, notify } from './dom.js';
import { canOperate } from './actions.js';

export async function render(view, { params: [idText] }, session) {
  const id = Number(idText);
  const open = new Set();          // task ids whose output is shown
  const outputs = new Map();       // task id -> {text, state}
  const pollers = new Map();       // task id -> timer of a running task's output
  const pages = new Map();         // step index -> {total, tasks}: the step's tasks paged in id order
  let refreshing = null;           // timer of the next reload of the paged tasks while the command runs
  let envelope = await fetchProgress(id);
  let stream = null;
  let stopped = false;

  // Failed tasks open with their output: that is what the operator came for.
  for (const t of tasks(envelope)) if (t.state === 'FAILED') open.add(t.id);

  function draw() {
    const doc = envelope.res_obj;
    const running = !isFinished(envelope.state);
    redraw(view,
      h('p', { class: 'crumbs' }, h('a', { href: '#/commands' }, 'Commands'), ` / #${id}`),
      h('h1', {}, `#${id} ${commandTitle(doc.command_kind, doc.service_name)}`, badge(envelope.state)),
      progressBar(envelope.total_progress, envelope.state, { big: true, label: 'Command progress' }),
      h('div', { class: 'meta' },
        h('span', {}, 'By ', h('b', {}, doc.user)),
        h('span', {}, 'Started ', h('b', {}, time(doc.create_time))),
        h('span', {}, running ? 'Running for ' : 'Took ', h('b', { 'data-duration': doc.create_time }, duration(doc.create_time, doc.end_time))),
        h('span', {}, h('b', {}, `${doc.total_step_size}`), ` step${doc.total_step_size === 1 ? '' : 's'}`)),
      actions(running),
      envelope.state === 'FAILED' ? failure(doc) : null,
      // A rolling restart completes with the failures its tolerance bore, and says which.
      envelope.state === 'COMPLETE' ? h('div', { class: 'panel ok', role: 'status', id: 'complete' }, h('b', {}, 'Complete. '),
        envelope.error_description || 'Every step succeeded.') : null,
      h('h2', { id: 'steps' }, 'Steps'),
      h('ol', { class: 'steps', 'aria-labelledby': 'steps' }, doc.step_list.map(step)));
  }

  function actions(running) {
    if (!canOperate(session)) return null;
    if (running) return h('div', { class: 'actions' }, h('button', { type: 'button', class: 'danger', 'data-key': 'abort', onclick: abort }, 'Abort'));
    if (envelope.state === 'FAILED') return h('div', { class: 'actions' }, h('button', { type: 'button', class: 'primary', 'data-key': 'retry', onclick: retry }, 'Retry failed tasks'));
    return null;
  }

  function failure(doc) {
    return h('div', { class: 'panel bad', role: 'alert', id: 'failure' },
      h('h3', {}, 'Failed'),
      h('p', {}, errorText(envelope) || 'A step failed.'),
      doc.fail_entity_list.length
        ? h('ul', {}, doc.fail_entity_list.slice(0, FAILURES_SHOWN).map((f) => {
            const task = tasks(envelope).find((t) => t.instance === f.fail_entity && t.operation === f.operation_type);
            return h('li', {}, h('a', { href: task ? `#/commands/${id}` : undefined, 'data-key': `fail:${f.fail_entity}`,
              onclick: (e) => { e.preventDefault(); if (task) view.querySelector(`#task-${task.id}`)?.scrollIntoView({ block: 'center' }); } },
              f.fail_entity), ` (${f.operation_type.toLowerCase()})`);
          }))
        : null,
      // A command that failed on thousands of hosts names them all in fail_entity_list; the steps count them.
      doc.fail_entity_list.length > FAILURES_SHOWN ? h('p', { 'data-key': 'more-failures' }, `and ${doc.fail_entity_list.length - FAILURES_SHOWN} more.`) : null);
  }

  function step(s, index) {
    const paged = pages.get(index);
    const list = paged ? paged.tasks : s.tasks;
    const more = paged ? paged.total - paged.tasks.length : s.tasks_omitted;
    return h('li', { class: `step ${s.state === 'FAILED' ? 'failed' : ''}`, 'data-step': s.name },
      h('header', {},
        h('span', { class: 'n' }, `${index + 1}.`),
        h('span', { class: 'name' }, s.name), badge(s.state),
        h('span', { class: 'desc' }, s.description, s.start_time ? ` · ${duration(s.start_time, s.end_time)}` : ''),
        h('span', { class: 'desc', 'data-counts': index }, counts(s)),
        progressBar(s.progress, s.state, { label: `Progress of step ${index + 1}` })),
      list.length ? h('table', {},
        h('thead', {}, h('tr', {}, ['Instance', 'Host', 'Operation', 'State', 'Exit', 'Detail', 'Time', ''].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, list.flatMap(taskRows))) : null,
      more > 0 ? h('p', { class: 'more desc', 'data-more': index }, `${more} more task${more === 1 ? '' : 's'} `,
        h('button', { type: 'button', class: 'link', 'data-key': `more:${index}`, onclick: () => loadTasks(index) },
          paged ? `Show ${Math.min(more, PAGE)} more` : 'List them all, in id order')) : null);
  }

  // The step's tasks: as the document lists them, or, once paged, in id order.
  async function loadTasks(index) {
    const have = pages.get(index);
    try {
      const page = await get(`common/command/${id}/steps/${index}/tasks`, { offset: have ? have.tasks.length : 0, limit: PAGE });
      if (stopped) return;
      pages.set(index, { total: page.total, tasks: (have ? have.tasks : []).concat(page.tasks) });
      draw();
    } catch (e) { notify(errorText(e), 'bad'); }
  }

  // While the command runs, the paged tasks are read again at most once a
  // second (up to 500 of them, the most one page holds), not on every event.
  function refreshPages() {
    if (!pages.size || refreshing) return;
    refreshing = setTimeout(async () => {
      for (const [index, have] of pages) {
        try {
          const page = await get(`common/command/${id}/steps/${index}/tasks`, { offset: 0, limit: Math.min(500, Math.max(have.tasks.length, PAGE)) });
          if (stopped) return;
          pages.set(index, { total: page.total, tasks: page.tasks });
        } catch (e) { /* the next event tries again */ }
      }
      refreshing = null;
      if (!stopped) draw();
    }, 1000);
  }

  function taskRows(t) {
    const shown = open.has(t.id);
    const row = h('tr', { id: `task-${t.id}`, 'data-task': t.instance, class: t.state === 'FAILED' ? 'failed' : undefined },
      h('th', { scope: 'row' }, t.instance),
      h('td', {}, t.host),
      h('td', {}, t.operation.toLowerCase()),
      h('td', {}, badge(t.state)),
      h('td', { class: 'num mono' }, t.exit_code ?? '—'),
      h('td', {}, t.detail || '—', t.error_code ? h('div', { class: 'desc' }, `error ${t.error_code}`) : null),
      h('td', {}, t.start_time ? duration(t.start_time, t.end_time) : '—'),
      h('td', {}, t.state === 'PENDING' || t.state === 'SKIPPED' ? null : h('button', {
        type: 'button', class: 'link', 'aria-expanded': String(shown), 'aria-controls': `output-${t.id}`, 'data-key': `output:${t.id}`,
        onclick: () => toggle(t) }, shown ? 'Hide output' : 'Output')));
    if (!shown) return [row];
    const out = outputs.get(t.id);
    return [row, h('tr', {}, h('td', { colspan: 8, class: 'output-cell' },
      h('pre', { class: 'output', id: `output-${t.id}`, tabindex: 0, 'data-key': `pre:${t.id}`, 'aria-label': `Output of ${t.instance}` },
        out ? (out.text || '(no output)') : 'Loading output…')))];
  }

  function toggle(t) {
    if (open.has(t.id)) { open.delete(t.id); clearTimeout(pollers.get(t.id)); pollers.delete(t.id); } else { open.add(t.id); loadOutput(t.id); }
    draw();
  }

  const reading = new Set();        // task ids with a read in flight: one chain of reads per task
  async function loadOutput(taskId) {
    clearTimeout(pollers.get(taskId));
    pollers.delete(taskId);
    if (reading.has(taskId)) return;
    reading.add(taskId);
    try {
      const o = await get(`common/command/${id}/tasks/${taskId}/output`);
      if (stopped) return;
      outputs.set(taskId, { text: o.output, state: o.state });
      if (open.has(taskId)) {
        const pre = view.querySelector(`#output-${taskId}`);
        if (pre) { pre.textContent = o.output || '(no output)'; pre.scrollTop = pre.scrollHeight; }
        // The agent streams a running task's output; read it again while it runs.
        if (o.state === 'RUNNING' || o.state === 'PENDING') pollers.set(taskId, setTimeout(() => loadOutput(taskId), 1000));
      }
    } catch (e) {
      outputs.set(taskId, { text: errorText(e), state: 'UNKNOWN' });
    } finally {
      reading.delete(taskId);
    }
  }

  async function abort() {
    const yes = await confirmDialog({ title: `Abort command #${id}?`, confirm: 'Abort command', danger: true },
      h('p', {}, 'The command ends FAILED at once. Agents stop the processes of its running tasks; steps not yet started do not run.'));
    if (!yes) return;
    try { await post(`common/command/${id}/abort`); notify(`Command #${id} aborted.`); } catch (e) { notify(errorText(e), 'bad'); }
    envelope = await fetchProgress(id);
    draw();
  }

  async function retry() {
    const failed = tasks(envelope).filter((t) => t.state === 'FAILED').map((t) => t.instance);
    const unlisted = envelope.res_obj.step_list.reduce((n, s) => n + s.task_states.FAILED, 0) - failed.length;
    const yes = await confirmDialog({ title: `Retry command #${id}?`, confirm: 'Retry' },
      h('p', {}, 'A new command runs only the tasks that failed:'),
      h('ul', {}, failed.map((f) => h('li', {}, f))),
      unlisted > 0 ? h('p', {}, `and ${unlisted} more.`) : null);
    if (!yes) return;
    try {
      const next = await post(`common/command/${id}/retry`);
      notify(`Retry of #${id} started: command #${next.id}.`);
      location.hash = `#/commands/${next.id}`;
    } catch (e) { notify(errorText(e), 'bad'); }
  }

  draw();
  for (const taskId of open) loadOutput(taskId);
  // The running time moves between events too.
  const ticker = setInterval(() => {
    if (isFinished(envelope.state)) return;
    const el = view.querySelector('[data-duration]');
    if (el) el.textContent = duration(Number(el.dataset.duration));
  }, 1000);
  if (!isFinished(envelope.state)) {
    stream = follow(id, (next) => {
      if (stopped) return;
      const before = new Map(tasks(envelope).map((t) => [t.id, t.state]));
      envelope = next;
      for (const t of tasks(envelope)) {
        if (t.state === 'FAILED' && before.get(t.id) !== 'FAILED') { open.add(t.id); }
        if (open.has(t.id) && before.get(t.id) !== t.state) loadOutput(t.id);
      }
      refreshPages();
      draw();
    }, async () => {
      // The stream ended: at the end of the command, or lost (the session
      // ended, the manager restarted). Read the state once more; a 401 sends
      // the user to the login.
      if (stopped) return;
      try { envelope = await fetchProgress(id); refreshPages(); draw(); } catch (e) { if (e.status !== 401) notify(errorText(e), 'bad'); }
    });
  }
  return () => {
    stopped = true;
    clearInterval(ticker);
    clearTimeout(refreshing);
    if (stream) stream.close();
    for (const t of pollers.values()) clearTimeout(t);
  };
}

function tasks(envelope) { return envelope.res_obj.step_list.flatMap((s) => s.tasks); }

const PAGE = 100;                  // tasks per "Show more"
const FAILURES_SHOWN = 20;         // failed instances named in the failure panel

// "1000 tasks: 980 succeeded, 20 failed", from the counts of every task, listed or not.
function counts(s) {
  const parts = ['RUNNING', 'SUCCEEDED', 'FAILED', 'SKIPPED', 'PENDING']
    .filter((k) => s.task_states[k]).map((k) => `${s.task_states[k]} ${k.toLowerCase()}`);
  return `${s.task_count} task${s.task_count === 1 ? '' : 's'}${parts.length ? `: ${parts.join(', ')}` : ''}`;
}

function fetchProgress(id) { return call(`common/command/${id}/progress`); }

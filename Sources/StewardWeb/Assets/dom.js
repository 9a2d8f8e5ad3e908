// DOM helpers. Every value from the API goes into text nodes or attributes,
// never into innerHTML, so no name or output a host sends is parsed as markup.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

// Gives the focus back to the control with that data-key, drawn anew.
export function refocus(view, key) {
  if (key) view.querySelector(`[data-key="${CSS.escape(key)}"]`)?.focus();
}

// Draws a page again in place: a refresh must not steal the keyboard user's place.
export function redraw(view, ...children) {
  const key = document.activeElement?.dataset?.key;
  replace(view, ...children);
  refocus(view, key);
}

// The hash of a filtered, paged list: filters kept, empty ones and page 1 left out.
export function filterHash(path, filters, changes) {
  const next = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...filters, page: 1, ...changes })) if (v && !(k === 'page' && v === 1)) next.set(k, v);
  const s = next.toString();
  return `#/${path}${s ? `?${s}` : ''}`;
}

const tones = {
  ok: ['COMPLETE', 'SUCCEEDED', 'STARTED', 'GOOD', 'CONNECTED', 'SUCCESS'],
  bad: ['FAILED', 'BAD', 'LOST', 'FAILURE'],
  run: ['IN_PROGRESS', 'RUNNING', 'STARTING', 'STOPPING'],
  warn: ['SKIPPED', 'PARTIALLY_STARTED', 'RESTART NEEDED', 'MUST_CHANGE'],
};

export function tone(state) {
  for (const [name, states] of Object.entries(tones)) if (states.includes(state)) return name;
  return 'idle';
}

const labels = { IN_PROGRESS: 'RUNNING' };

export function badge(state, text) {
  return h('span', { class: `badge ${tone(state)}`, 'data-state': state }, text ?? labels[state] ?? state ?? 'UNKNOWN');
}

export function progressBar(percent, state, { big = false, label = 'Progress' } = {}) {
  const pct = Math.max(0, Math.min(100, Math.floor(Number(percent) || 0)));
  // Coloured at the end only; a running bar keeps the plain colour.
  const t = ['ok', 'bad'].includes(tone(state)) ? tone(state) : '';
  const fill = h('div', { class: 'fill' });
  // Through the CSSOM: the Content-Security-Policy refuses style attributes.
  fill.style.width = `${pct}%`;
  return h('div', { class: `bar ${t} ${big ? 'big' : ''}`, role: 'progressbar', 'aria-label': label,
                    'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': pct, 'data-progress': pct },
    h('div', { class: 'track' }, fill),
    h('span', { class: 'pct' }, `${pct}%`));
}

export function time(ms) {
  if (!ms) return '—';
  const d = new Date(ms);
  const today = new Date().toDateString() === d.toDateString();
  return today ? d.toLocaleTimeString() : d.toLocaleString();
}

export function duration(start, end) {
  if (!start) return '—';
  const ms = Math.max(0, (end || Date.now()) - start);
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60000) return `${(ms / 1000).toFixed(1)} s`;
  const m = Math.floor(ms / 60000);
  return m < 60 ? `${m} min ${Math.floor(ms / 1000) % 60} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function ago(ms) {
  if (!ms) return 'never';
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  return s < 60 ? `${s} s ago` : s < 3600 ? `${Math.floor(s / 60)} min ago` : time(ms);
}

export function notify(message, kind = '') {
  const box = document.getElementById('notices');
  const note = h('div', { class: `notice ${kind}` }, message);
  box.append(note);
  setTimeout(() => note.remove(), kind === 'bad' ? 9000 : 5000);
}

export const kindLabels = {
  START_SERVICE: 'Start', STOP_SERVICE: 'Stop', RESTART_SERVICE: 'Restart', SAVE_CONFIGURATION: 'Save configuration of', RESTART_INSTANCE: 'Restart', ROLLING_RESTART: 'Rolling restart',
  ADD_INSTANCE: 'Add', REMOVE_INSTANCE: 'Remove', DECOMMISSION_HOST: 'Decommission',
};

export function commandTitle(kind, target) {
  return `${kindLabels[kind] ?? kind} ${target ?? ''}`.trim();
}

// A modal built on <dialog>: focus moves into it, Escape cancels, and focus
// returns to the button that opened it.
export function openDialog(build) {
  const dialog = document.getElementById('dialog');
  const opener = document.activeElement;
  const key = opener?.dataset?.key;
  return new Promise((resolve) => {
    const close = (value) => { if (dialog.open) dialog.close(); resolve(value); };
    dialog.onclose = () => {
      resolve(undefined);
      // The opener may have been drawn again meanwhile: find it by its key.
      const target = opener?.isConnected ? opener : key ? document.querySelector(`[data-key="${CSS.escape(key)}"]`) : null;
      if (target) target.focus();
    };
    replace(dialog, build(close));
    dialog.showModal();
    const first = dialog.querySelector('[autofocus]') || dialog.querySelector('input, button.primary, button');
    if (first) first.focus();
  });
}

// The form every dialog shows, laid out one way: a title (which names the
// dialog for screen readers), the body, then Cancel and the confirm button.
export function dialogForm({ title, close, onsubmit, confirm }, ...body) {
  return h('form', { method: 'dialog', onsubmit: (e) => { e.preventDefault(); onsubmit(e); } },
    h('h2', { id: 'dialog-title' }, title),
    body,
    h('div', { class: 'buttons' }, h('button', { type: 'button', onclick: () => close(undefined) }, 'Cancel'), confirm));
}

// Asks before an action (abort, retry, reset, delete): true only on the
// confirm button; Cancel and Escape give false.
export async function confirmDialog({ title, confirm, danger = false }, ...body) {
  const answer = await openDialog((close) => dialogForm({
    title, close, onsubmit: () => close(true),
    confirm: h('button', { type: 'submit', class: danger ? 'danger' : 'primary' }, confirm),
  }, body));
  return answer === true;
}

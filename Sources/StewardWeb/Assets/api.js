// The manager's /web/v1 API, as the web UI uses it: the web session cookie
// from the CAS login, JSON both ways, and the reference envelope.

export class ApiError extends Error {
  constructor(status, code, description, resObj) {
    super(description || `HTTP ${status}`);
    this.status = status;
    this.code = code;
    this.resObj = resObj;
  }
}

// The one wording of what went wrong, wherever it is shown: the manager's
// description and its error code, from a refused request (ApiError), from a
// failed command's envelope or list entry ({error_code, error_description}),
// or from anything else thrown.
export function errorText(e) {
  const [text, code] = e instanceof ApiError ? [e.message, e.code]
    : e && typeof e === 'object' && 'error_description' in e ? [e.error_description, e.error_code]
    : [String(e), 0];
  return [text, code ? `(error ${code})` : ''].filter(Boolean).join(' ');
}

// A command's state is final: the manager changes it no more, and its event stream ends.
export function isFinished(state) { return state === 'COMPLETE' || state === 'FAILED'; }

export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}

export async function call(path, { method = 'GET', body, params } = {}) {
  // X-Requested-With: the manager then leaves out its Basic challenge, so a
  // browser shows no password prompt of its own when a session ends.
  const headers = { Accept: 'application/json', 'X-Requested-With': 'XMLHttpRequest' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(`/web/v1/${path}${query(params)}`, {
      method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, 0, 'The manager cannot be reached.');
  }
  let envelope = null;
  try { envelope = await response.json(); } catch (e) { /* not JSON: handled below */ }
  if (response.status === 401) {
    toLogin();
    throw new ApiError(401, envelope?.error_code ?? 0, 'The session has ended; log in again.');
  }
  if (!response.ok || !envelope) {
    throw new ApiError(response.status, envelope?.error_code ?? 0, envelope?.error_description ?? `HTTP ${response.status}`, envelope?.res_obj);
  }
  return envelope;
}

export const get = (path, params) => call(path, { params }).then((e) => e.res_obj);
export const post = (path, body, params) => call(path, { method: 'POST', body: body ?? {}, params });

// Through the CAS flow, back to where the user was.
export function toLogin() {
  if (location.hash) sessionStorage.setItem('steward.next', location.hash);
  const service = '/web/cas_security_check.htm?next=/';
  location.assign(`/cas/login?service=${encodeURIComponent(service)}`);
}

// Follows a command's progress over server-sent events. Calls onDocument with
// each envelope; ends on COMPLETE or FAILED (the manager closes the stream
// then, and EventSource must not reconnect to it).
export function follow(commandId, onDocument, onEnd) {
  const source = new EventSource(`/web/v1/common/command/${encodeURIComponent(commandId)}/progress`);
  let ended = false;
  const end = () => { if (!ended) { ended = true; source.close(); if (onEnd) onEnd(); } };
  source.addEventListener('progress', (event) => {
    let envelope;
    try { envelope = JSON.parse(event.data); } catch (e) { return; }
    onDocument(envelope);
    if (isFinished(envelope.state)) end();
  });
  source.onerror = () => { if (source.readyState === EventSource.CLOSED) end(); };
  return { close: end };
}

// Every call the console makes goes to the server's own API (/v1) with the session cookie; the
// API key itself is never kept in the page. A request that changes something carries the CSRF
// token the sign-in answered (held in this module's memory only) and an Idempotency-Key, so a
// retried click is applied once.

let csrfToken = null;

export function setCsrfToken(token) {
  csrfToken = token;
}

/** A problem+json answer, or a network failure, as something a page can show. */
export class ApiProblem extends Error {
  constructor(status, problem) {
    super(problem && problem.detail ? problem.detail : `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
  }
}

async function send(method, path, { json, text, idempotent } = {}) {
  const headers = { Accept: 'application/json' };
  let body;
  if (json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(json);
  } else if (text !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = text;
  }
  if (method !== 'GET' && method !== 'HEAD') {
    if (csrfToken) headers['X-CSRF-Token'] = csrfToken;
    if (idempotent !== false) headers['Idempotency-Key'] = crypto.randomUUID();
  }
  let response;
  try {
    response = await fetch(path, { method, headers, body, credentials: 'same-origin', cache: 'no-store' });
  } catch (failed) {
    throw new ApiProblem(0, { title: 'unreachable', detail: 'the server did not answer: ' + failed.message });
  }
  const type = response.headers.get('Content-Type') || '';
  const payload = type.includes('json') ? await response.json() : await response.text();
  if (!response.ok) throw new ApiProblem(response.status, typeof payload === 'object' ? payload : { detail: payload });
  return payload;
}

export const get = (path) => send('GET', path);
export const post = (path, json) => send('POST', path, { json });
export const patch = (path, json) => send('PATCH', path, { json });
export const del = (path, json) => send('DELETE', path, { json });
export const putText = (path, text) => send('PUT', path, { text });
export const postText = (path, text) => send('POST', path, { text });

/** One path segment, percent-encoded as the API expects (a '+' stays a plus). */
export const seg = (value) => encodeURIComponent(value);

export function query(params) {
  const parts = Object.entries(params)
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
  return parts.length ? '?' + parts.join('&') : '';
}

// The reviewer JSON API (docs/review-api.md), with the session cookie and the CSRF header.

export class ApiError extends Error {
  constructor(status, code, detail) {
    super(detail || code || `HTTP ${status}`);
    this.status = status;
    this.code = code || `http_${status}`;
    this.detail = detail || '';
  }
}

/** A session that is gone (signed out, expired) ends the page: back to the sign-in form. */
export function toSignIn() {
  window.location.assign('/login?next=' + encodeURIComponent('/review'));
}

async function errorOf(response) {
  let code = null;
  let detail = null;
  try {
    const body = await response.json();
    code = body.error;
    detail = body.detail;
  } catch {
    // not JSON (a proxy error page, say): the status says enough
  }
  return new ApiError(response.status, code, detail);
}

export function createApi(csrfToken) {
  async function call(method, path, body) {
    const headers = { Accept: 'application/json' };
    if (method !== 'GET') headers['X-CSRF-Token'] = csrfToken;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status === 401) {
      toSignIn();
      throw new ApiError(401, 'signed_out', 'Your session ended. Please sign in again.');
    }
    if (!response.ok) throw await errorOf(response);
    if (response.status === 204) return null;
    const type = response.headers.get('Content-Type') || '';
    return type.includes('json') ? response.json() : null;
  }

  const task = (id, verb) => `/api/v1/review/tasks/${encodeURIComponent(id)}/${verb}`;

  return {
    lease: () => call('POST', '/api/v1/review/lease'),
    heartbeat: (id) => call('POST', task(id, 'heartbeat')),
    skip: (id) => call('POST', task(id, 'skip')),
    submit: (id, body) => call('POST', task(id, 'submit'), body),
    stats: () => call('GET', '/api/v1/review/stats'),
    intents: () => call('GET', '/api/v1/review/intents'),
    logout: () => call('POST', '/api/v1/auth/logout'),

    /** The signed review copy as a Blob (fetched once; the URL is short-lived). */
    async audio(url) {
      const response = await fetch(url, { credentials: 'same-origin', cache: 'no-store' });
      if (response.status === 401) {
        toSignIn();
        throw new ApiError(401, 'signed_out', 'Your session ended. Please sign in again.');
      }
      if (!response.ok) throw await errorOf(response);
      return response.blob();
    },
  };
}

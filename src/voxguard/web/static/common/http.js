// What every page's API module shares: the request caller, the error type, the CSRF token, and
// what a failed response means (a session that ended sends the person back to sign in).

export class ApiError extends Error {
  constructor(status, code, detail) {
    super(detail || code || `HTTP ${status}`);
    this.status = status;
    this.code = code || `http_${status}`;
    this.detail = detail || '';
  }
}

export function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.getAttribute('content') || '' : '';
}

/** A session that is gone (signed out, expired) ends the page: back to sign-in, then here. */
export function toSignIn() {
  window.location.assign('/login?next=' + encodeURIComponent(window.location.pathname));
}

async function errorOf(response) {
  let code = null;
  let detail = null;
  try {
    const body = await response.json();
    code = body.error;
    detail = body.detail;
  } catch {
    // not JSON (a proxy's error page): the status says enough
  }
  return new ApiError(response.status, code, detail);
}

async function checked(response) {
  if (response.status === 401) {
    toSignIn();
    throw new ApiError(401, 'signed_out', 'Your session ended. Please sign in again.');
  }
  if (!response.ok) throw await errorOf(response);
  return response;
}

/**
 * A JSON API caller for one page: the session cookie on every request, the CSRF header on every
 * one that changes something. Answers the parsed JSON body (null for 204 or a non-JSON body).
 */
export function createCaller(token) {
  return async function call(method, path, body) {
    const headers = { Accept: 'application/json' };
    if (method !== 'GET') headers['X-CSRF-Token'] = token;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await checked(await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body),
    }));
    if (response.status === 204) return null;
    const type = response.headers.get('Content-Type') || '';
    return type.includes('json') ? response.json() : null;
  };
}

/** A review copy (or any binary answer) as a Blob. Each fetch is an audited listen. */
export async function fetchBlob(url) {
  const response = await checked(
    await fetch(url, { credentials: 'same-origin', cache: 'no-store' }),
  );
  return response.blob();
}

// What every page's API module shares: the error type, the CSRF token, and what a failed
// response means (a session that ended sends the person back to sign in).

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

export async function errorOf(response) {
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

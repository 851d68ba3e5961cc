// The reviewer JSON API (docs/review-api.md), with the session cookie and the CSRF header.

import { ApiError, errorOf, toSignIn } from '../common/http.js';

export { ApiError, toSignIn };

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
    submit: (id, body, { next = false } = {}) =>
      call('POST', task(id, 'submit') + (next ? '?next=true' : ''), body),
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

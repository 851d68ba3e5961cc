// The reviewer JSON API (docs/review-api.md), with the session cookie and the CSRF header.

import { ApiError, createCaller, fetchBlob, toSignIn } from '../common/http.js';

export { ApiError, toSignIn };

export function createApi(csrfToken) {
  const call = createCaller(csrfToken);
  const task = (id, verb) => `/api/v1/review/tasks/${encodeURIComponent(id)}/${verb}`;

  return {
    lease: () => call('POST', '/api/v1/review/lease'),
    heartbeat: (id) => call('POST', task(id, 'heartbeat')),
    skip: (id) => call('POST', task(id, 'skip')),
    submit: (id, body, { next = false } = {}) =>
      call('POST', task(id, 'submit') + (next ? '?next=true' : ''), body),
    stats: () => call('GET', '/api/v1/review/stats'),
    waiting: () => call('GET', '/api/v1/review/waiting'),
    intents: () => call('GET', '/api/v1/review/intents'),
    logout: () => call('POST', '/api/v1/auth/logout'),
    /** The signed review copy as a Blob (fetched once; the URL is short-lived). */
    audio: fetchBlob,
  };
}

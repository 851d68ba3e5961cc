// The lead and privacy-officer JSON APIs (voxguard.web.lead_api), with the session cookie and
// the CSRF header taken from <meta name="csrf-token">.

import { ApiError, csrfToken, errorOf, toSignIn } from '../common/http.js';

export { ApiError, csrfToken };

async function checked(response) {
  if (response.status === 401) {
    toSignIn();
    throw new ApiError(401, 'signed_out', 'Your session ended. Please sign in again.');
  }
  if (!response.ok) throw await errorOf(response);
  return response;
}

export function createApi(token = csrfToken()) {
  async function call(method, path, body) {
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
  }

  const clip = (id) => encodeURIComponent(id);

  return {
    adjudicate: (id, transcript, intent) =>
      call('POST', `/api/v1/lead/adjudications/${clip(id)}`, { transcript, intent }),
    gold: () => call('GET', '/api/v1/lead/gold'),
    addGold: (clipId, transcript, intent) =>
      call('POST', '/api/v1/lead/gold', { clip_id: clipId, transcript, intent }),
    retireGold: (id) => call('DELETE', `/api/v1/lead/gold/${clip(id)}`),
    confirmFalseWake: (id) => call('POST', `/api/v1/lead/clips/${clip(id)}/false-wake`),
    decideRestricted: (id, action) =>
      call('POST', `/api/v1/privacy/restricted/${clip(id)}`, { action }),

    /** A review copy as a Blob. Each fetch is an audited listen on the server. */
    async audio(path) {
      const response = await checked(
        await fetch(path, { credentials: 'same-origin', cache: 'no-store' }),
      );
      return response.blob();
    },
  };
}

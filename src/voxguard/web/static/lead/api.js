// The lead and privacy-officer JSON APIs (voxguard.web.lead_api), with the session cookie and
// the CSRF header taken from <meta name="csrf-token">.

import { ApiError, createCaller, csrfToken, fetchBlob } from '../common/http.js';

export { ApiError, csrfToken };

export function createApi(token = csrfToken()) {
  const call = createCaller(token);
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
    hideRestricted: (id, stretches, draft) =>
      call('POST', `/api/v1/privacy/restricted/${clip(id)}/hide`, { stretches, draft }),
    /** A review copy as a Blob. Each fetch is an audited listen on the server. */
    audio: fetchBlob,
  };
}

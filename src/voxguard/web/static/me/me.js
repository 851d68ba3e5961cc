// The self-service privacy page (/me): save choices, delete a recording or everything (always
// asked first), close the page. Everything else is plain HTML: audio plays in <audio controls>,
// the download is a link.

const $ = (selector, root = document) => root.querySelector(selector);
const csrf = () => $('meta[name="csrf-token"]').getAttribute('content');

async function call(method, url, body) {
  const response = await fetch(url, {
    method,
    headers: { 'X-CSRF-Token': csrf(), ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
    credentials: 'same-origin',
  });
  if (response.status === 401) {
    window.location.assign('/me');
    throw new Error('This page has closed. Open it again from your app.');
  }
  if (!response.ok) {
    let detail = `HTTP ${response.status}`;
    try { detail = (await response.json()).detail || detail; } catch { /* not JSON */ }
    throw new Error(detail);
  }
  return response.status === 204 ? null : response.json();
}

let noticeTimer = null;
function notify(message, kind = '') {
  const box = $('#notice');
  box.textContent = message;
  box.className = `toast ${kind}`.trim();
  box.hidden = false;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => { box.hidden = true; }, kind === 'error' ? 9000 : 4000);
}

function confirmDelete(title, message) {
  const dialog = $('#confirm');
  $('#confirm-title').textContent = title;
  $('#confirm-message').textContent = message;
  dialog.returnValue = 'cancel';
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
    dialog.showModal();
    $('#confirm-cancel').focus(); // the safe choice has the focus
  });
}

$('#choices').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  const button = $('#save-choices');
  button.disabled = true;
  $('#choices-status').textContent = '';
  try {
    await call('PUT', '/me/api/consent', {
      human_review: form.elements.human_review.checked ? 'opted_in' : 'opted_out',
      store_recordings: form.elements.store_recordings.checked,
      model_training: form.elements.model_training.checked,
      retention: form.elements.retention.value,
      notice_version: $('meta[name="notice-version"]').getAttribute('content'),
    });
    $('#choices-status').textContent = 'Saved. Your choices apply from now on.';
  } catch (error) {
    notify(`Your choices were not saved: ${error.message}`, 'error');
  } finally {
    button.disabled = false;
  }
});

document.addEventListener('click', async (event) => {
  const button = event.target.closest('button[data-delete]');
  if (!button) return;
  const id = button.dataset.delete;
  const ok = await confirmDelete(
    `Delete your recording from ${button.dataset.when}?`,
    'It is deleted for good, with what was written down about it. This cannot be undone.',
  );
  if (!ok) return;
  button.disabled = true;
  try {
    await call('DELETE', `/me/api/recordings/${encodeURIComponent(id)}`);
    const item = $(`#rec-${CSS.escape(id)}`);
    $('audio', item)?.remove();
    button.remove();
    $('.state', item).textContent = 'Deleted';
    notify('The recording is deleted.');
  } catch (error) {
    button.disabled = false;
    notify(`The recording was not deleted: ${error.message}`, 'error');
  }
});

$('#delete-everything').addEventListener('click', async () => {
  const ok = await confirmDelete(
    'Delete everything?',
    'All your recordings, what was written down about them and your choices are deleted for '
      + 'good, also from backups. This cannot be undone.',
  );
  if (!ok) return;
  try {
    await call('DELETE', '/me/api/account');
    $('#me').hidden = true;
    $('#sign-out').hidden = true;
    $('#gone').hidden = false;
    $('#gone h1').focus();
  } catch (error) {
    notify(`Nothing was deleted: ${error.message}`, 'error');
  }
});

$('#sign-out').addEventListener('click', async () => {
  try { await call('POST', '/me/api/sign-out'); } finally { window.location.assign('/me'); }
});

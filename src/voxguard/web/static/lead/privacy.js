// The privacy officer's restricted queue (/privacy-officer): listen (audited), delete for good
// (crypto-shredding), dismiss a wrong flag, or hide what can still be heard and send the clip
// back. Every decision is confirmed first.

import {
  $, $$, confirmAction, dialogOpen, errorText, isControl, isTyping, notify, startPage,
} from './ui.js';

const { api, player } = startPage();

const waitingCards = () => $$('#waiting .rclip');
const current = () => $('#waiting .rclip.current') || $('.rclip.current');

function select(card, { focus = true } = {}) {
  if (!card) return;
  if (current() !== card) player.stop();
  for (const other of $$('.rclip')) other.classList.toggle('current', other === card);
  card.scrollIntoView({ block: 'nearest' });
  if (focus) card.focus({ preventScroll: true });
}

function move(step) {
  const cards = waitingCards();
  if (!cards.length) return;
  const at = cards.indexOf(current());
  select(cards[Math.max(0, Math.min(cards.length - 1, at + step))]);
}

function recount() {
  const waiting = waitingCards().length;
  const dismissed = $$('#dismissed .rclip').length;
  $('#count-waiting').textContent = String(waiting);
  $('#count-dismissed').textContent = String(dismissed);
  $('#waiting-empty').hidden = waiting > 0;
  $('#dismissed-box').hidden = dismissed === 0;
}

const COPY = {
  delete: (id) => ({
    title: `Delete clip ${id} for good?`,
    message: 'Every copy of this clip\'s audio is crypto-shredded (its key is destroyed, so '
      + 'backups become noise too) and its text is wiped. This cannot be undone.',
    ok: 'Delete for good',
    danger: true,
  }),
  dismiss: (id) => ({
    title: `Dismiss the flag on ${id}?`,
    message: 'The flag was wrong: nothing sensitive or distressing here. The clip still stays '
      + 'out of the general review pool.',
    ok: 'Dismiss flag',
  }),
  hide: (id, { start, end }) => ({
    title: `Hide ${start}–${end} s of ${id} and send it back?`,
    message: 'That stretch is bleeped in the copy reviewers hear and the old copy is shredded; '
      + 'reviewers read the draft as you left it. The clip never enters a dataset.',
    ok: 'Hide and send back',
  }),
};

/** The stretch and draft of a card's hide form, or null (with a notice) when not usable. */
function hideRequest(card) {
  const form = $('form.hide-form', card);
  const start = Number.parseFloat(form.elements.start.value);
  const end = Number.parseFloat(form.elements.end.value);
  const duration = Number.parseFloat(form.dataset.duration);
  if (!(start >= 0 && end > start && end <= duration + 0.05)) {
    notify(`Mark a stretch inside the clip: from a time to a later one (0–${duration} s).`, 'warn');
    form.elements.start.focus();
    return null;
  }
  return { start, end, draft: form.elements.draft.value };
}

/** Send the officer's decision to the server. */
function request(clipId, action, hiding) {
  if (action !== 'hide') return api.decideRestricted(clipId, action);
  const { start, end, draft } = hiding;
  return api.hideRestricted(clipId, [{ start_s: start, end_s: end }], draft);
}

/** Show the decision on the page: the card leaves or moves; returns the notice. */
function settle(card, action, hiding) {
  const clipId = card.dataset.clip;
  if (action !== 'dismiss') {
    card.remove();
    return action === 'delete'
      ? `Deleted ${clipId}: its audio is gone for good.`
      : `Hid ${hiding.start}–${hiding.end} s of ${clipId}. It goes back to the review pool.`;
  }
  card.classList.remove('current');
  $('button[data-action="dismiss"]', card)?.remove();
  $('form.hide-form', card)?.remove();
  for (const chip of $$('.flag-chip.open', card)) {
    chip.classList.replace('open', 'dismissed');
    chip.textContent += ' · dismissed';
  }
  $('#dismissed').prepend(card);
  return `Dismissed the flag on ${clipId}. It goes back to the review pool.`;
}

async function decide(card, action) {
  const clipId = card.dataset.clip;
  const hiding = action === 'hide' ? hideRequest(card) : null;
  if (action === 'hide' && !hiding) return;
  if (!(await confirmAction(COPY[action](clipId, hiding)))) return;
  const buttons = $$('button[data-action]', card);
  buttons.forEach((b) => { b.disabled = true; });
  try {
    await request(clipId, action, hiding);
    const wasWaiting = card.closest('#waiting') !== null;
    const at = waitingCards().indexOf(card);
    if (card === current()) player.stop();
    notify(settle(card, action, hiding), 'ok');
    recount();
    const left = waitingCards();
    if (wasWaiting && left.length) select(left[Math.min(at, left.length - 1)]);
  } catch (error) {
    notify(`Could not ${action} ${clipId}: ${errorText(error)}`, 'error');
  } finally {
    buttons.forEach((b) => { b.disabled = false; });
  }
}

document.addEventListener('click', (event) => {
  const card = event.target.closest('.rclip');
  if (!card) return;
  const play = event.target.closest('button.play');
  const action = event.target.closest('button[data-action]');
  const mark = event.target.closest('button[data-mark]');
  if (card !== current()) select(card, { focus: false });
  if (mark) {
    // the playhead of this card's audio, if it is the one playing
    const at = player.button && card.contains(player.button) ? player.audio.currentTime : 0;
    $('form.hide-form', card).elements[mark.dataset.mark].value = at.toFixed(2);
  } else if (play) player.toggle(play);
  else if (action) decide(card, action.dataset.action);
});

document.addEventListener('keydown', (event) => {
  if (event.isComposing || dialogOpen() || isTyping(event.target)) return;
  const card = current();
  if (event.ctrlKey && event.code === 'Space' && card) {
    event.preventDefault();
    player.toggle($('button.play', card));
    return;
  }
  if (event.ctrlKey || event.altKey || event.metaKey) return;
  if (event.key === 'j') move(1);
  else if (event.key === 'k') move(-1);
  else if (card && (event.key === 'p' || (event.key === ' ' && !isControl(event.target)))) {
    player.toggle($('button.play', card));
  } else return;
  event.preventDefault();
});

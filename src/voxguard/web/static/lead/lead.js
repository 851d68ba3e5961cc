// The lead page (/lead): tabs, the adjudication queue by keyboard, gold clips.
// The page is rendered on the server; this module only acts through the JSON APIs.

import {
  $, $$, confirmAction, dialogOpen, errorText, isControl, isTyping, notify, startPage,
} from './ui.js';

const { api, player } = startPage();
const INTENTS = new Set(JSON.parse($('#intent-list')?.textContent || '[]'));

// ---------------------------------------------------------------------------- tabs

const TABS = $$('[role="tab"]');

function showTab(name, { focus = false } = {}) {
  const tab = TABS.find((t) => t.getAttribute('aria-controls') === name) || TABS[0];
  if (!tab) return;
  for (const t of TABS) {
    const on = t === tab;
    t.setAttribute('aria-selected', on ? 'true' : 'false');
    t.tabIndex = on ? 0 : -1;
    const panel = document.getElementById(t.getAttribute('aria-controls'));
    if (panel) panel.hidden = !on;
  }
  if (tab.getAttribute('aria-controls') !== 'adjudication') player.stop();
  if (focus) tab.focus();
  document.body.dataset.tab = tab.getAttribute('aria-controls');
  if (tab.getAttribute('aria-controls') === 'quality' && qualityStale) refreshQuality();
}

// The quality table and charts are drawn on the server. After a decision they are out of date,
// so the section is fetched again (the same page, rendered anew) when it is next shown.
let qualityStale = false;

async function refreshQuality() {
  const section = document.getElementById('quality');
  if (!section) return;
  qualityStale = false;
  section.setAttribute('aria-busy', 'true');
  try {
    const response = await fetch('/lead', { credentials: 'same-origin', cache: 'no-store' });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const fresh = new DOMParser().parseFromString(await response.text(), 'text/html');
    const newSection = fresh.getElementById('quality');
    const newTab = fresh.getElementById('tab-quality');
    if (newSection) section.replaceChildren(...newSection.childNodes);
    if (newTab) document.getElementById('tab-quality')?.replaceChildren(...newTab.childNodes);
  } catch (error) {
    qualityStale = true;
    notify(`Could not refresh the reviewer figures: ${errorText(error)}`, 'warn');
  } finally {
    section.removeAttribute('aria-busy');
  }
}

for (const tab of TABS) {
  tab.addEventListener('click', (event) => {
    event.preventDefault();
    const name = tab.getAttribute('aria-controls');
    history.replaceState(null, '', `#${name}`);
    showTab(name);
  });
  tab.addEventListener('keydown', (event) => {
    if (event.key !== 'ArrowRight' && event.key !== 'ArrowLeft') return;
    const step = event.key === 'ArrowRight' ? 1 : -1;
    const next = TABS[(TABS.indexOf(tab) + step + TABS.length) % TABS.length];
    history.replaceState(null, '', `#${next.getAttribute('aria-controls')}`);
    showTab(next.getAttribute('aria-controls'), { focus: true });
    event.preventDefault();
  });
}
window.addEventListener('hashchange', () => showTab(window.location.hash.slice(1)));
showTab(window.location.hash.slice(1) || 'adjudication');

function setCount(id, value) {
  const el = document.getElementById(id);
  if (el) el.textContent = String(value);
}

// ---------------------------------------------------------------------------- adjudication

const queueItems = () => $$('#queue .queue-item');
const currentItem = () => $('#queue .queue-item.current');
const article = (clipId) => document.getElementById(`clip-${clipId}`);
const currentArticle = () => {
  const item = currentItem();
  return item ? article(item.dataset.clip) : null;
};

function select(item, { focus = true } = {}) {
  if (!item) return;
  const before = currentItem();
  if (before !== item) player.stop();
  for (const other of queueItems()) {
    const on = other === item;
    other.classList.toggle('current', on);
    if (on) other.setAttribute('aria-current', 'true');
    else other.removeAttribute('aria-current');
    const art = article(other.dataset.clip);
    if (art) art.hidden = !on;
  }
  item.scrollIntoView({ block: 'nearest' });
  if (focus) article(item.dataset.clip)?.focus({ preventScroll: true });
}

function move(step) {
  const items = queueItems();
  if (!items.length) return;
  const at = items.indexOf(currentItem());
  select(items[Math.max(0, Math.min(items.length - 1, at + step))]);
}

function removeClip(clipId) {
  qualityStale = true;
  const items = queueItems();
  const item = items.find((i) => i.dataset.clip === clipId);
  if (!item) return;
  const at = items.indexOf(item);
  const wasCurrent = item.classList.contains('current');
  if (wasCurrent) player.stop();
  item.closest('li')?.remove();
  article(clipId)?.remove();
  const left = queueItems();
  setCount('count-adjudication', left.length);
  if (!left.length) {
    $('#adj').hidden = true;
    $('#adj-empty').hidden = false;
    return;
  }
  if (wasCurrent) select(left[Math.min(at, left.length - 1)]);
}

function takeCandidate(index) {
  const art = currentArticle();
  const cand = art && $$('.cand', art)[index];
  const form = art && $('form.decide', art);
  if (!cand || !form) return;
  form.elements.transcript.value = cand.dataset.transcript;
  if (cand.dataset.intent) form.elements.intent.value = cand.dataset.intent;
  for (const c of $$('.cand', art)) c.classList.toggle('taken', c === cand);
  form.elements.transcript.focus();
  notify(`Took candidate ${cand.querySelector('.letter')?.textContent || ''}`);
}

function goldRow(clipId, transcript, intent) {
  const row = document.createElement('tr');
  row.dataset.clip = clipId;
  const cells = [clipId, transcript, intent];
  cells.forEach((text, i) => {
    const td = document.createElement('td');
    if (i === 0) td.className = 'mono';
    if (i === 2) {
      const span = document.createElement('span');
      span.className = 'intent';
      span.textContent = text;
      td.append(span);
    } else {
      td.textContent = text;
    }
    row.append(td);
  });
  const act = document.createElement('td');
  act.className = 'act';
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'quiet';
  button.dataset.retire = clipId;
  button.textContent = 'Retire';
  act.append(button);
  row.append(act);
  return row;
}

function showGoldCount() {
  const rows = $$('#gold-rows tr');
  setCount('count-gold', rows.length);
  const table = $('#gold-table');
  if (table) table.hidden = rows.length === 0;
  const empty = $('#gold-empty');
  if (empty) empty.hidden = rows.length > 0;
}

function addGoldRow(clipId, transcript, intent) {
  const body = $('#gold-rows');
  if (!body) return;
  body.append(goldRow(clipId, transcript, intent));
  showGoldCount();
}

let busy = false;

async function accept(form) {
  if (busy || !form) return;
  const clipId = form.dataset.clip;
  const transcript = form.elements.transcript.value.trim();
  const intent = form.elements.intent.value.trim();
  if (!INTENTS.has(intent)) {
    notify(intent ? `“${intent}” is not a known intent: pick one from the list.` : 'Pick an intent first.', 'warn');
    form.elements.intent.focus();
    return;
  }
  if (!transcript) {
    const ok = await confirmAction({
      title: 'Accept an empty transcript?',
      message: 'Nothing intelligible was said. The clip is accepted with no words.',
      ok: 'Accept empty',
    });
    if (!ok) return;
  }
  const makeGold = Boolean(form.elements.gold?.checked);
  busy = true;
  const button = $('button[type="submit"]', form);
  button.disabled = true;
  try {
    const outcome = await api.adjudicate(clipId, transcript, intent);
    let message = `Accepted ${clipId}.`;
    if (makeGold) {
      try {
        const added = await api.addGold(clipId, transcript, intent);
        addGoldRow(added.clip_id, added.transcript, intent);
        message = `Accepted ${clipId} and added it to the gold clips.`;
      } catch (error) {
        notify(`Accepted ${clipId}, but it could not become gold: ${errorText(error)}`, 'warn');
        removeClip(clipId);
        return;
      }
    }
    removeClip(clipId);
    notify(outcome && outcome.state === 'accepted' ? message : `Saved ${clipId}.`, 'ok');
  } catch (error) {
    notify(`Could not accept ${clipId}: ${errorText(error)}`, 'error');
  } finally {
    busy = false;
    button.disabled = false;
  }
}

async function confirmFalseWake(form) {
  const clipId = form.dataset.clip;
  const ok = await confirmAction({
    title: `Delete ${clipId} as “not for the assistant”?`,
    message: 'The clip was not meant for the assistant. Its audio is crypto-shredded for good '
      + 'and its words wiped; only the label is kept for wake-word statistics.',
    ok: 'Delete audio',
    danger: true,
  });
  if (!ok) return;
  try {
    await api.confirmFalseWake(clipId);
    removeClip(clipId);
    notify(`Deleted ${clipId}: only the “not for assistant” label is kept.`, 'ok');
  } catch (error) {
    notify(`Could not delete ${clipId}: ${errorText(error)}`, 'error');
  }
}

$('#queue')?.addEventListener('click', (event) => {
  const item = event.target.closest('.queue-item');
  if (item) select(item);
});

$('#details')?.addEventListener('click', (event) => {
  const play = event.target.closest('button.play');
  if (play) { player.toggle(play); return; }
  const use = event.target.closest('button[data-use]');
  if (use) { takeCandidate(Number(use.dataset.use)); return; }
  const falseWake = event.target.closest('button[data-false-wake]');
  if (falseWake) confirmFalseWake(falseWake.closest('form'));
});

$('#details')?.addEventListener('submit', (event) => {
  event.preventDefault();
  accept(event.target.closest('form.decide'));
});

// ---------------------------------------------------------------------------- gold

$('#gold-form')?.addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.target;
  const clipId = form.elements.clip_id.value.trim();
  const transcript = form.elements.transcript.value.trim();
  const intent = form.elements.intent.value.trim();
  if (!clipId || !transcript) {
    notify('A gold clip needs its clip id and the reference transcript.', 'warn');
    (clipId ? form.elements.transcript : form.elements.clip_id).focus();
    return;
  }
  if (!INTENTS.has(intent)) {
    notify('Pick an intent from the list.', 'warn');
    form.elements.intent.focus();
    return;
  }
  const button = $('button[type="submit"]', form);
  button.disabled = true;
  try {
    const added = await api.addGold(clipId, transcript, intent);
    addGoldRow(added.clip_id, added.transcript, intent);
    form.reset();
    form.elements.clip_id.focus();
    notify(`${added.clip_id} is now a gold clip.`, 'ok');
  } catch (error) {
    notify(`Could not add ${clipId}: ${errorText(error)}`, 'error');
  } finally {
    button.disabled = false;
  }
});

$('#gold-rows')?.addEventListener('click', async (event) => {
  const button = event.target.closest('button[data-retire]');
  if (!button) return;
  const clipId = button.dataset.retire;
  const ok = await confirmAction({
    title: `Retire gold clip ${clipId}?`,
    message: 'It stops being mixed into reviewers\' queues. Scores already measured on it stay.',
    ok: 'Retire',
  });
  if (!ok) return;
  try {
    await api.retireGold(clipId);
    button.closest('tr')?.remove();
    showGoldCount();
    notify(`Retired ${clipId}.`, 'ok');
  } catch (error) {
    notify(`Could not retire ${clipId}: ${errorText(error)}`, 'error');
  }
});

// ---------------------------------------------------------------------------- keys

document.addEventListener('keydown', (event) => {
  if (event.isComposing || dialogOpen()) return;
  const onAdjudication = document.body.dataset.tab === 'adjudication';
  const art = currentArticle();
  if (onAdjudication && art) {
    if ((event.ctrlKey || event.metaKey) && (event.key === 'Enter' || event.code === 'NumpadEnter')) {
      event.preventDefault();
      accept($('form.decide', art));
      return;
    }
    if (event.ctrlKey && event.code === 'Space') {
      event.preventDefault();
      player.toggle($('button.play', art));
      return;
    }
    const digit = /^Digit([1-9])$/.exec(event.code);
    if (event.altKey && !event.ctrlKey && !event.metaKey && digit) {
      event.preventDefault();
      takeCandidate(Number(digit[1]) - 1);
      return;
    }
  }
  if (isTyping(event.target)) {
    if (event.key === 'Escape') {
      event.target.blur();
      art?.focus({ preventScroll: true });
    }
    return;
  }
  if (event.ctrlKey || event.altKey || event.metaKey) return;
  const tabKeys = { 1: 'adjudication', 2: 'gold', 3: 'quality' };
  if (tabKeys[event.key]) {
    history.replaceState(null, '', `#${tabKeys[event.key]}`);
    showTab(tabKeys[event.key]);
    event.preventDefault();
    return;
  }
  if (!onAdjudication || !art) return;
  if (event.key === 'j') move(1);
  else if (event.key === 'k') move(-1);
  else if (event.key === 'p' || (event.key === ' ' && !isControl(event.target))) {
    player.toggle($('button.play', art));
  } else if (event.key === 'e') {
    const field = $('textarea[name="transcript"]', art);
    if (field) {
      field.focus();
      field.setSelectionRange(field.value.length, field.value.length);
    }
  } else return;
  event.preventDefault();
});

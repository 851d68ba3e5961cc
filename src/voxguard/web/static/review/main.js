// The review workbench: lease a clip, listen, correct, label, submit, next — by keyboard.

import { ApiError, createApi, toSignIn } from './api.js';
import { IntentPicker } from './intent-picker.js';
import { SPEEDS, installKeys, renderLegend } from './keys.js';
import { ClipPlayer } from './player.js';
import { TranscriptEditor } from './transcript.js';
import { submittedText } from './submitted.js';
import { waitingText } from './waiting.js';

const EMPTY_POLL_MS = 5000;
const RETRY_MS = 5000;
const REPLAY_S = 3;
// Nobody at the keyboard for this long: the clip goes back to the queue and polling stops, so
// an unattended screen neither sits on work nor keeps the session alive by itself.
const AWAY_MS = 10 * 60 * 1000;
const SEEK_S = 1;
const FLAG_NAMES = {
  false_wake: 'Not for assistant', sensitive: 'Sensitive', distress: 'Distress',
  unintelligible: 'Unintelligible', other_language: 'Other language', pii_audible: 'PII audible',
};

const $ = (id) => document.getElementById(id);
const csrf = document.querySelector('meta[name="csrf-token"]')?.content || '';
const api = createApi(csrf);

const state = {
  task: null,
  generation: 0, // bumps on every new lease; stale async work checks it and stops
  shownAt: 0,
  flags: new Set(),
  heartbeat: null,
  poll: null,
  busy: false,
  player: null,
  autoIntent: false, // the intent was filled in by the false-wake flag, not typed
  lastActivity: performance.now(),
};

const isAway = () => performance.now() - state.lastActivity > AWAY_MS;

// ---------------------------------------------------------------- small view helpers

let noticeTimer = null;
function notice(text, kind = 'info', ms = 5000) {
  const el = $('notice');
  el.textContent = text;
  el.className = `toast ${kind}`;
  el.hidden = false;
  clearTimeout(noticeTimer);
  if (ms) noticeTimer = setTimeout(() => { el.hidden = true; }, ms);
}

function setMode(mode, message = '') {
  // loading | task | empty | away | error
  document.body.dataset.mode = mode;
  const idle = mode === 'empty' || mode === 'away';
  $('empty').hidden = mode !== 'empty';
  $('away').hidden = mode !== 'away';
  for (const panel of document.querySelectorAll('.work > .panel:not(.idle)')) {
    panel.hidden = idle;
  }
  $('wave-overlay').hidden = mode === 'task';
  $('wave-message').textContent = message;
}

const seconds = (x) => `${x.toFixed(1)} s`;

function renderStats(stats) {
  if (!stats) return;
  $('stat-done').textContent = String(stats.done_this_shift ?? 0);
  $('stat-median').textContent = stats.median_seconds ? seconds(stats.median_seconds) : '–';
  $('stat-gold').textContent = stats.gold_accuracy == null
    ? '–' : `${Math.round(stats.gold_accuracy * 100)}%`;
  if (stats.shift_started_at) {
    const started = new Date(stats.shift_started_at);
    if (!Number.isNaN(started.getTime())) {
      $('stat-done').title = `since ${started.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}`;
    }
  }
}

async function refreshStats() {
  try {
    renderStats(await api.stats());
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401) {
      // stats are a nicety; the work goes on without them
      console.warn('stats unavailable', error);
    }
  }
}

function renderTime() {
  const p = state.player;
  if (!p) return;
  const total = p.ws.getDuration() || state.task?.clip?.duration_s || 0;
  $('time').textContent = `${p.currentTime.toFixed(1)} / ${total.toFixed(1)} s`;
}

function renderPlayState() {
  const playing = Boolean(state.player?.playing);
  $('btn-play').classList.toggle('playing', playing);
  $('play-label').textContent = playing ? 'Pause' : 'Play';
  document.body.classList.toggle('is-playing', playing);
  if (playing) $('autoplay-hint').hidden = true;
}

function renderRate() {
  const rate = state.player?.rate ?? 1;
  for (const button of $('speeds').querySelectorAll('button')) {
    button.setAttribute('aria-checked', String(Number(button.dataset.rate) === rate));
  }
}

function renderHeard() {
  const p = state.player;
  const share = p ? p.heardShare : 0;
  const done = Boolean(p?.playedToEnd);
  $('heard-fill').style.width = `${Math.round(share * 100)}%`;
  $('heard').classList.toggle('done', done);
  $('heard-label').textContent = done ? 'Heard all ✓' : `${Math.round(share * 100)}% heard`;
  renderSubmit();
}

/** Why submit is not possible yet, or '' when it is. */
function blocker() {
  if (!state.task) return 'No clip loaded.';
  if (state.busy) return 'Sending…';
  const p = state.player;
  if (!p?.playedToEnd) {
    if (!p?.reachedEnd && p?.heardShare > 0) return 'Play the clip to the end first.';
    if (p?.reachedEnd) return 'Parts were skipped: listen to the whole clip.';
    return 'Listen to the whole clip first.';
  }
  if (!intentChosen() && !state.flags.has('false_wake')) return 'Pick an intent.';
  return '';
}

function intentChosen() {
  return picker.selected || '';
}

function renderSubmit() {
  const why = blocker();
  // Only listening blocks the button; a missing intent is fixed at submit (focus goes there).
  const listening = Boolean(state.task && state.player?.playedToEnd && !state.busy);
  $('btn-submit').disabled = !listening;
  $('submit-why').textContent = why;
  $('submit-why').classList.toggle('ok', !why);
  if (!why) $('submit-why').textContent = 'Ready.';
}

function renderFlags() {
  for (const button of $('flags').querySelectorAll('.flag')) {
    button.setAttribute('aria-pressed', String(state.flags.has(button.dataset.flag)));
  }
}

function renderMeta(clip) {
  $('meta-locale').textContent = clip.locale || '–';
  $('meta-device').textContent = (clip.device_type || '–').replaceAll('_', ' ');
  $('meta-duration').textContent = seconds(Number(clip.duration_s) || 0);
  $('meta-id').textContent = `clip ${String(clip.id || '').slice(0, 8)}`;
}

// ---------------------------------------------------------------- components

const transcript = new TranscriptEditor($('transcript'), $('transcript-backdrop'), () => {
  $('intent').focus();
});
const picker = new IntentPicker($('intent'), $('intent-list'));
picker.addEventListener('change', renderSubmit);

async function loadIntents() {
  try {
    const body = await api.intents();
    picker.setIntents(body?.intents || []);
  } catch (error) {
    console.warn('intents unavailable', error);
  }
}

async function loadPlayer() {
  const base = document.body.dataset.wavesurfer;
  if (document.body.dataset.wavesurferAvailable !== 'yes') return null;
  try {
    const [{ default: WaveSurfer }, { default: RegionsPlugin }] = await Promise.all([
      import(`${base}/wavesurfer.esm.js`),
      import(`${base}/plugins/regions.esm.js`),
    ]);
    return new ClipPlayer($('waveform'), WaveSurfer, RegionsPlugin);
  } catch (error) {
    console.error(error);
    notice('The waveform player could not be loaded. An operator must run `make install`.',
      'error', 0);
    return null;
  }
}

// ---------------------------------------------------------------- the task cycle

function stopTimers() {
  clearInterval(state.heartbeat);
  clearTimeout(state.poll);
  state.heartbeat = null;
  state.poll = null;
}

function leaseLost() {
  notice('This clip is no longer yours (its lease ended or it was withdrawn). Loading the next one.',
    'warn');
  nextTask();
}

function startHeartbeat(task, generation) {
  clearInterval(state.heartbeat);
  const every = Math.max(5, (Number(task.lease_seconds) || 120) / 2) * 1000;
  state.heartbeat = setInterval(async () => {
    if (generation !== state.generation) return;
    if (isAway()) { goAway(); return; }
    try {
      const fresh = await api.heartbeat(task.task_id);
      if (generation !== state.generation || !fresh) return;
      if (fresh.audio_url) task.clip.audio_url = fresh.audio_url;
      if (fresh.lease_seconds && fresh.lease_seconds !== task.lease_seconds) {
        task.lease_seconds = fresh.lease_seconds;
        startHeartbeat(task, generation);
      }
    } catch (error) {
      if (generation !== state.generation) return;
      if (error instanceof ApiError && (error.status === 409 || error.status === 404)) leaseLost();
      // other failures (network blips): the next beat tries again, well inside the lease
    }
  }, every);
}

async function fetchAudio(task) {
  try {
    return await api.audio(task.clip.audio_url);
  } catch (error) {
    // The signed URL is short-lived: a heartbeat hands out a fresh one; try that once.
    if (!(error instanceof ApiError) || error.status !== 403) throw error;
    const fresh = await api.heartbeat(task.task_id);
    task.clip.audio_url = fresh.audio_url;
    return api.audio(task.clip.audio_url);
  }
}

function tryPlay() {
  if (!state.player || !state.task) return;
  state.player.play().then(
    () => { $('autoplay-hint').hidden = true; },
    (error) => {
      if (error && error.name === 'NotAllowedError') $('autoplay-hint').hidden = false;
      else console.warn('play failed', error);
    },
  );
}

/**
 * Show the next clip: `handed` is the one a submit already leased (null: none was due);
 * left out, ask for a lease.
 */
async function nextTask(handed) {
  state.generation += 1;
  const generation = state.generation;
  stopTimers();
  state.player?.ws.pause();
  state.task = null;
  state.busy = false;
  renderSubmit();
  if (document.body.dataset.mode !== 'empty') setMode('loading', 'Fetching the next clip…');
  let task = handed;
  try {
    if (task === undefined) task = await api.lease();
  } catch (error) {
    if (generation !== state.generation) return;
    if (error instanceof ApiError && error.status === 401) return;
    setMode('error', `Could not get a clip (${error.message}). Retrying…`);
    state.poll = setTimeout(() => nextTask(), RETRY_MS);
    return;
  }
  if (generation !== state.generation) return;
  if (!task) {
    state.player?.empty();
    setMode('empty');
    explainEmpty(generation);
    state.poll = setTimeout(() => (isAway() ? goAway() : nextTask()), EMPTY_POLL_MS);
    return;
  }
  await showTask(task, generation);
}

/** Say why nothing is handed out: the rules that hide the waiting tasks from this reviewer. */
async function explainEmpty(generation) {
  let text;
  try {
    text = waitingText(await api.waiting());
  } catch {
    return; // the empty state's plain words stay; the next check asks again
  }
  if (generation !== state.generation) return;
  $('empty-title').textContent = text.title;
  $('empty-why').textContent = text.why;
}

async function showTask(task, generation) {
  const clip = task.clip;
  setMode('loading', 'Loading audio…');
  renderMeta(clip);
  transcript.set(clip.draft_text || '');
  picker.clear();
  state.autoIntent = false;
  state.flags.clear();
  renderFlags();
  $('autoplay-hint').hidden = true;
  startHeartbeat(task, generation);
  try {
    const blob = await fetchAudio(task);
    if (generation !== state.generation) return;
    if (state.player) {
      await state.player.load(blob, { duration: clip.duration_s, redactions: clip.redactions });
    }
  } catch (error) {
    if (generation !== state.generation) return;
    if (error instanceof ApiError && (error.status === 409 || error.status === 404)) {
      leaseLost();
      return;
    }
    state.task = task; // still ours: the reviewer can skip it
    setMode('error', `The audio could not be loaded (${error.message}). Skip with Ctrl+Shift+S.`);
    return;
  }
  if (generation !== state.generation) return;
  state.task = task;
  state.shownAt = performance.now();
  setMode('task');
  renderTime();
  renderHeard();
  transcript.focusEnd();
  tryPlay();
}

/** Hand the clip back and stop; the next key press or click starts work again. */
async function goAway() {
  state.generation += 1;
  stopTimers();
  state.player?.ws.pause();
  const task = state.task;
  state.task = null;
  state.busy = false;
  setMode('away');
  if (task) {
    try { await api.skip(task.task_id); } catch { /* the lease lapses by itself anyway */ }
  }
}

function activity() {
  state.lastActivity = performance.now();
  if (document.body.dataset.mode === 'away') nextTask();
}

async function submit() {
  if (!state.task || state.busy) return;
  const why = blocker();
  if (!state.player?.playedToEnd) {
    notice(why, 'warn', 3000);
    return;
  }
  const intent = picker.commitTyped();
  if (!intent && !state.flags.has('false_wake')) {
    notice('Pick an intent first (type to search, Enter to choose).', 'warn', 3000);
    $('intent').focus();
    return;
  }
  const task = state.task;
  const generation = state.generation;
  state.busy = true;
  renderSubmit();
  const body = {
    transcript: transcript.value,
    intent,
    flags: [...state.flags],
    played_to_end: true,
    seconds_spent: Math.round((performance.now() - state.shownAt) / 100) / 10,
  };
  let answer;
  try {
    // The answer carries the next clip's lease, saving a round trip between clips.
    answer = await api.submit(task.task_id, body, { next: true });
  } catch (error) {
    if (generation !== state.generation) return;
    state.busy = false;
    renderSubmit();
    if (error instanceof ApiError) {
      if (error.status === 401) return;
      if (error.status === 409 || error.status === 404) { leaseLost(); return; }
      notice(error.detail || error.message, 'error', 8000);
      return;
    }
    notice(`Submit failed (${error.message}). Your work is still here: try again.`, 'error', 8000);
    return;
  }
  if (generation !== state.generation) return;
  state.player?.ws.pause();
  const said = submittedText(answer?.effects);
  notice(said, 'ok', said === 'Submitted.' ? 1500 : 5000);
  refreshStats();
  nextTask(answer?.next ?? null);
}

async function skip() {
  if (!state.task || state.busy) return;
  const task = state.task;
  state.busy = true;
  state.player?.ws.pause();
  try {
    await api.skip(task.task_id);
    notice('Skipped.', 'info', 1500);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return;
    // a lost lease is as good as skipped; anything else: say so and move on anyway
    if (!(error instanceof ApiError && (error.status === 409 || error.status === 404))) {
      notice(`Skip failed (${error.message}).`, 'error');
    }
  }
  nextTask();
}

function toggleFlag(name) {
  if (!state.task) return;
  if (state.flags.has(name)) state.flags.delete(name);
  else state.flags.add(name);
  const on = state.flags.has(name);
  if (name === 'false_wake') autoIntentForFalseWake(on);
  renderFlags();
  renderSubmit();
  notice(`${FLAG_NAMES[name] || name}: ${on ? 'on' : 'off'}`, 'info', 1200);
}

const FALSE_WAKE_INTENT = 'not_for_assistant';

/** "Not for the assistant" has an intent of its own: fill it in (and take it back) for the reviewer. */
function autoIntentForFalseWake(on) {
  if (!picker.intents.includes(FALSE_WAKE_INTENT)) return;
  if (on && !picker.commitTyped()) {
    picker.pick(FALSE_WAKE_INTENT);
    state.autoIntent = true;
  } else if (!on && state.autoIntent && picker.selected === FALSE_WAKE_INTENT) {
    picker.clear();
    state.autoIntent = false;
  }
}

function setRate(rate) {
  state.player?.setRate(rate);
  renderRate();
}

const actions = {
  toggle: () => {
    if (!state.task || !state.player) return;
    state.player.toggle().catch((error) => {
      if (error?.name === 'NotAllowedError') $('autoplay-hint').hidden = false;
    });
  },
  replay: () => state.task && state.player?.replay(REPLAY_S).catch(() => {}),
  back: () => state.task && state.player?.seekBy(-SEEK_S),
  forward: () => state.task && state.player?.seekBy(SEEK_S),
  speedCycle: () => {
    const i = SPEEDS.indexOf(state.player?.rate ?? 1);
    setRate(SPEEDS[(i + 1) % SPEEDS.length]);
  },
  speed: (rate) => setRate(rate),
  focusTranscript: () => transcript.focusEnd(),
  focusIntent: () => { $('intent').focus(); $('intent').select(); },
  flag: (name) => toggleFlag(name),
  submit: () => submit(),
  skip: () => skip(),
};

// ---------------------------------------------------------------- start

async function main() {
  renderLegend($('legend'));
  window.addEventListener('keydown', activity, { capture: true });
  window.addEventListener('pointerdown', activity, { capture: true });
  installKeys(window, actions);
  $('btn-play').addEventListener('click', actions.toggle);
  $('btn-submit').addEventListener('click', submit);
  $('btn-skip').addEventListener('click', skip);
  $('speeds').addEventListener('click', (event) => {
    const button = event.target.closest('button[data-rate]');
    if (button) setRate(Number(button.dataset.rate));
  });
  $('flags').addEventListener('click', (event) => {
    const button = event.target.closest('.flag');
    if (button) toggleFlag(button.dataset.flag);
  });
  $('sign-out').addEventListener('click', async () => {
    try { await api.logout(); } catch { /* signed out either way */ }
    toSignIn();
  });

  setMode('loading', 'Starting…');
  state.player = await loadPlayer();
  if (!state.player) {
    setMode('error', 'The waveform player is not available, so clips cannot be played.');
    return;
  }
  state.player.addEventListener('time', renderTime);
  state.player.addEventListener('state', renderPlayState);
  state.player.addEventListener('heard', renderHeard);
  state.player.addEventListener('rate', renderRate);
  renderRate();
  await Promise.all([loadIntents(), refreshStats()]);
  await nextTask();
}

main();

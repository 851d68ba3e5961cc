// Small pieces both staff pages share: the page's API and player, element lookup, notices, a
// confirmation dialog, the review-copy player, and the "is the person typing?" test that keeps
// single-key shortcuts out of text fields.

import { createApi } from './api.js';

export const $ = (selector, root = document) => root.querySelector(selector);
export const $$ = (selector, root = document) => Array.from(root.querySelectorAll(selector));

/** What every staff page starts with: its API client and its one review-copy player. */
export function startPage() {
  const api = createApi();
  return { api, player: new Player(api) };
}

let noticeTimer = null;

/** A floating notice that never shifts the page. kind: '', 'ok', 'warn' or 'error'. */
export function notify(message, kind = '') {
  const box = document.getElementById('notice');
  if (!box) return;
  box.textContent = message;
  box.className = `toast ${kind}`.trim();
  box.hidden = false;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => { box.hidden = true; }, kind === 'error' ? 9000 : 4000);
}

export function errorText(error) {
  return error && error.message ? error.message : String(error);
}

/** Ask before something that cannot be undone. Resolves true only on an explicit OK. */
export function confirmAction({ title, message, ok = 'OK', danger = false }) {
  const dialog = document.getElementById('confirm');
  if (!dialog || typeof dialog.showModal !== 'function') {
    return Promise.resolve(window.confirm(`${title}\n\n${message}`));
  }
  dialog.querySelector('#confirm-title').textContent = title;
  dialog.querySelector('#confirm-message').textContent = message;
  const okButton = dialog.querySelector('#confirm-ok');
  okButton.textContent = ok;
  okButton.className = danger ? 'danger' : 'primary';
  dialog.returnValue = 'cancel';
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
    dialog.showModal();
    dialog.querySelector('#confirm-cancel').focus(); // the safe choice has the focus
  });
}

export function dialogOpen() {
  const dialog = document.getElementById('confirm');
  return Boolean(dialog && dialog.open);
}

/** True when a key press belongs to a text field, so single letters must not be shortcuts. */
export function isTyping(target) {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) {
    return !['checkbox', 'radio', 'button', 'submit', 'reset'].includes(target.type);
  }
  return false;
}

/** Keys such as Space and Enter already mean something on buttons and links. */
export function isControl(target) {
  return target instanceof HTMLButtonElement || target instanceof HTMLAnchorElement
    || target instanceof HTMLSummaryElement || isTyping(target);
}

const fmt = (s) => (Number.isFinite(s) ? s.toFixed(1) : '0.0');

/**
 * One player for the page. A clip's review copy is fetched when first played (the server
 * records that listen) and kept only while that clip is the one in use: moving to another clip
 * drops it, so listening again later is fetched, and recorded, again.
 */
export class Player {
  constructor(api) {
    this.api = api;
    this.audio = new Audio();
    this.audio.preload = 'auto';
    this.button = null;
    this.objectUrl = null;
    this.loading = false;
    for (const event of ['play', 'pause', 'ended', 'timeupdate', 'loadedmetadata']) {
      this.audio.addEventListener(event, () => this.render());
    }
  }

  get playing() {
    return !this.audio.paused && !this.audio.ended;
  }

  /** Play or pause the clip behind this button (a .play with data-audio). */
  async toggle(button) {
    if (!button || this.loading) return;
    if (this.button === button && this.objectUrl) {
      if (this.playing) this.audio.pause();
      else await this.start();
      return;
    }
    this.stop();
    this.button = button;
    this.loading = true;
    this.render();
    try {
      const blob = await this.api.audio(button.dataset.audio);
      if (this.button !== button) return; // the person moved on while it loaded
      this.objectUrl = URL.createObjectURL(blob);
      this.audio.src = this.objectUrl;
    } catch (error) {
      this.button = null;
      notify(`Could not load the audio: ${errorText(error)}`, 'error');
      return;
    } finally {
      this.loading = false;
      this.render(button);
    }
    await this.start();
  }

  async start() {
    try {
      if (this.audio.ended) this.audio.currentTime = 0;
      await this.audio.play();
    } catch (error) {
      notify(`The browser would not play the audio: ${errorText(error)}`, 'warn');
    }
  }

  /** Stop and forget the current clip's audio. */
  stop() {
    const previous = this.button;
    this.audio.pause();
    if (this.objectUrl) {
      this.audio.removeAttribute('src');
      this.audio.load();
      URL.revokeObjectURL(this.objectUrl);
    }
    this.objectUrl = null;
    this.button = null;
    if (previous) this.render(previous);
  }

  render(button = this.button) {
    if (!button) return;
    const active = button === this.button;
    const box = button.closest('.listen');
    const label = button.querySelector('.play-label');
    const playing = active && this.playing;
    button.classList.toggle('playing', playing);
    button.classList.toggle('loading', active && this.loading);
    button.setAttribute('aria-pressed', playing ? 'true' : 'false');
    if (label) {
      if (!label.dataset.idle) label.dataset.idle = label.textContent;
      let text = label.dataset.idle;
      if (active && this.loading) text = 'Loading…';
      else if (playing) text = 'Pause';
      else if (active && this.audio.ended) text = 'Play again';
      label.textContent = text;
    }
    if (!box) return;
    const time = box.querySelector('.time');
    const bar = box.querySelector('.progress span');
    const total = active && Number.isFinite(this.audio.duration) ? this.audio.duration : null;
    const now = active ? this.audio.currentTime : 0;
    if (time) {
      const end = total ?? parseFloat((time.textContent.split('/')[1] || '0'));
      time.textContent = `${fmt(now)} / ${fmt(end)} s`;
    }
    if (bar) bar.style.width = total ? `${Math.min(100, (100 * now) / total)}%` : '0%';
  }
}

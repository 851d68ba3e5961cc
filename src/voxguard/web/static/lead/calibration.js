// The lead's listening page (/lead/anonymization): keys to move between clips and play either
// version, and one clip playing at a time. The players are the browser's own <audio controls>,
// so everything also works with Tab and Space, or with no script at all.

import { $$, isTyping } from './ui.js';

const CLIPS = $$('.cal-clip');
let current = CLIPS.findIndex((clip) => clip.classList.contains('current'));

function select(index, { focus = true } = {}) {
  if (!CLIPS.length) return;
  current = Math.max(0, Math.min(CLIPS.length - 1, index));
  CLIPS.forEach((clip, i) => {
    clip.classList.toggle('current', i === current);
    if (i === current) clip.setAttribute('aria-current', 'true');
    else clip.removeAttribute('aria-current');
  });
  if (focus) {
    CLIPS[current].focus({ preventScroll: true });
    CLIPS[current].scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }
}

function toggle(version) {
  const clip = CLIPS[current];
  const audio = clip && clip.querySelector(`audio[data-version="${version}"]`);
  if (!audio) return;
  if (audio.paused) {
    audio.play().catch(() => {}); // a refused play leaves the native controls to the person
  } else {
    audio.pause();
  }
}

// One voice at a time: starting any player pauses every other one.
for (const audio of $$('.cal-clip audio')) {
  audio.addEventListener('play', () => {
    for (const other of $$('.cal-clip audio')) if (other !== audio) other.pause();
    select(CLIPS.indexOf(audio.closest('.cal-clip')), { focus: false });
  });
}

// A click or Tab into a clip makes it the current one, so the keys act where the person is.
for (const [index, clip] of CLIPS.entries()) {
  clip.addEventListener('focusin', () => select(index, { focus: false }));
  clip.addEventListener('pointerdown', () => select(index, { focus: false }));
}

document.addEventListener('keydown', (event) => {
  if (event.altKey || event.ctrlKey || event.metaKey || isTyping(event.target)) return;
  const key = event.key.toLowerCase();
  if (key === 'j' || key === 'k') {
    select(current + (key === 'j' ? 1 : -1));
  } else if (key === 'o' || key === 'a') {
    toggle(key === 'o' ? 'original' : 'anonymized');
  } else {
    return;
  }
  event.preventDefault();
});

if (CLIPS.length && current < 0) select(0, { focus: false });

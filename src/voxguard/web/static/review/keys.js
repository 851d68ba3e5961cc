// The workbench's keyboard map: one table drives both the key handler and the on-page legend.
//
// Every chord uses Ctrl or Alt, so none of them types a character or clashes with editing in
// the transcript (Ctrl+Arrow word moves, Ctrl+Shift+Arrow selections, Alt+Arrow history
// navigation and Ctrl+1..8 tab switching are all left alone). Chords match `event.code`
// (the physical key), so Option+letter on a Mac, which changes `event.key`, still works.

export const SPEEDS = [0.75, 1, 1.25, 1.5];

const ctrl = (code) => ({ code, ctrl: true });
const alt = (code) => ({ code, alt: true });

// [action, label in the legend, legend group, chords (first one is shown first), arg]
export const BINDINGS = [
  ['toggle', 'Play / pause', 'Listen', [ctrl('Space'), alt('KeyK')]],
  ['replay', 'Replay last 3 s', 'Listen', [alt('KeyR')]],
  ['back', 'Back 1 s', 'Listen', [alt('KeyJ')]],
  ['forward', 'Forward 1 s', 'Listen', [alt('KeyL')]],
  ['speedCycle', 'Next speed', 'Listen', [alt('KeyS')]],
  ['speed', 'Speed 0.75 · 1 · 1.25 · 1.5', 'Listen',
    [alt('Digit7'), alt('Digit8'), alt('Digit9'), alt('Digit0')], SPEEDS],
  ['focusTranscript', 'Edit transcript', 'Label', [alt('KeyT')]],
  ['focusIntent', 'Pick intent (↑ ↓, Enter)', 'Label', [alt('KeyI')]],
  ['flag', 'Toggle a flag', 'Label',
    [alt('Digit1'), alt('Digit2'), alt('Digit3'), alt('Digit4'), alt('Digit5'), alt('Digit6')],
    ['false_wake', 'sensitive', 'distress', 'unintelligible', 'other_language', 'pii_audible']],
  ['submit', 'Submit, next clip', 'Finish', [ctrl('Enter'), { code: 'Enter', meta: true }]],
  ['skip', 'Skip clip', 'Finish', [{ code: 'KeyS', ctrl: true, shift: true }]],
];

function matches(chord, event) {
  if (event.code !== chord.code) return false;
  return (
    Boolean(chord.ctrl) === event.ctrlKey &&
    Boolean(chord.alt) === event.altKey &&
    Boolean(chord.shift) === event.shiftKey &&
    Boolean(chord.meta) === event.metaKey
  );
}

// Numpad Enter should submit like the main Enter key.
function normalised(event) {
  if (event.code !== 'NumpadEnter') return event;
  return {
    code: 'Enter', ctrlKey: event.ctrlKey, altKey: event.altKey,
    shiftKey: event.shiftKey, metaKey: event.metaKey,
  };
}

/** Find the action for a keydown event: {action, arg} or null. */
export function lookup(event) {
  const e = normalised(event);
  for (const [action, , , chords, args] of BINDINGS) {
    for (let i = 0; i < chords.length; i += 1) {
      if (matches(chords[i], e)) return { action, arg: args ? args[i] : undefined };
    }
  }
  return null;
}

/** Install the global handler (capture phase: shortcuts work inside every field). */
export function installKeys(target, actions) {
  target.addEventListener('keydown', (event) => {
    if (event.isComposing) return; // an IME is composing text; let it have the keys
    const hit = lookup(event);
    if (!hit) return;
    const run = actions[hit.action];
    if (!run) return;
    event.preventDefault();
    event.stopPropagation();
    if (event.repeat && !['back', 'forward'].includes(hit.action)) return; // held keys: seek only
    run(hit.arg);
  }, { capture: true });
}

const KEY_NAMES = {
  Space: 'Space', Enter: 'Enter', ArrowLeft: '←', ArrowRight: '→',
};

function keyName(code) {
  if (KEY_NAMES[code]) return KEY_NAMES[code];
  if (code.startsWith('Key')) return code.slice(3);
  if (code.startsWith('Digit')) return code.slice(5);
  return code;
}

function chordElement(chord) {
  const span = document.createElement('span');
  span.className = 'chord';
  const parts = [];
  if (chord.ctrl) parts.push('Ctrl');
  if (chord.meta) parts.push('⌘');
  if (chord.alt) parts.push('Alt');
  if (chord.shift) parts.push('Shift');
  parts.push(keyName(chord.code));
  for (const part of parts) {
    const kbd = document.createElement('kbd');
    kbd.textContent = part;
    span.append(kbd);
  }
  return span;
}

function compactDigits(chords, text) {
  // "Alt 7 8 9 0" reads better than four separate chords.
  const span = chordElement(chords[0]);
  span.lastChild.textContent = text || chords.map((c) => keyName(c.code)).join(' ');
  return span;
}

/** Render the legend from BINDINGS into a <dl>. */
export function renderLegend(dl) {
  dl.replaceChildren();
  let group = null;
  for (const [action, label, groupName, chords] of BINDINGS) {
    if (groupName !== group) {
      group = groupName;
      const heading = document.createElement('div');
      heading.className = 'legend-group';
      heading.textContent = groupName;
      dl.append(heading);
    }
    const row = document.createElement('div');
    row.className = 'legend-row';
    row.dataset.action = action;
    const dt = document.createElement('dt');
    const dd = document.createElement('dd');
    dd.textContent = label;
    if (action === 'speed') {
      dt.append(compactDigits(chords));
    } else if (action === 'flag') {
      dt.append(compactDigits(chords, '1–6'));
    } else if (action === 'submit') {
      dt.append(chordElement(chords[0])); // ⌘+Enter also works; one chord keeps it short
    } else {
      chords.forEach((chord, i) => {
        if (i > 0) {
          const or = document.createElement('span');
          or.className = 'or';
          or.textContent = 'or';
          dt.append(or);
        }
        dt.append(chordElement(chord));
      });
    }
    row.append(dt, dd);
    dl.append(row);
  }
}

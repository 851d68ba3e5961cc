"""The workbench's pure ES-module logic (key map, intent type-ahead, the empty state's words), run
in Node.

No browser needed: these modules touch the DOM only inside functions that are not called here.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.support import needs

STATIC = Path(__file__).resolve().parents[2] / "src" / "voxguard" / "web" / "static" / "review"

SCRIPT = """
import assert from 'node:assert/strict';
const { BINDINGS, lookup } = await import(process.argv[1] + '/keys.js');
const { filterIntents } = await import(process.argv[1] + '/intent-picker.js');
const { waitingText } = await import(process.argv[1] + '/waiting.js');
const { submittedText } = await import(process.argv[1] + '/submitted.js');

const key = (code, mods = {}) => ({
  code, ctrlKey: !!mods.ctrl, altKey: !!mods.alt, shiftKey: !!mods.shift, metaKey: !!mods.meta,
});
const hit = (code, mods) => {
  const found = lookup(key(code, mods));
  return found && [found.action, found.arg];
};

// Every chord needs Ctrl, Alt or Cmd: nothing a reviewer types in the transcript triggers one.
for (const [action, , , chords] of BINDINGS) {
  for (const chord of chords) {
    assert.ok(chord.ctrl || chord.alt || chord.meta, `${action} has a bare key`);
  }
}
// No chord is bound twice.
const seen = new Set();
for (const [, , , chords] of BINDINGS) {
  for (const c of chords) {
    const id = JSON.stringify([c.code, !!c.ctrl, !!c.alt, !!c.shift, !!c.meta]);
    assert.ok(!seen.has(id), `duplicate chord ${id}`);
    seen.add(id);
  }
}

assert.deepEqual(hit('Space', { ctrl: true }), ['toggle', undefined]);
assert.deepEqual(hit('KeyK', { alt: true }), ['toggle', undefined]);
assert.deepEqual(hit('KeyR', { alt: true }), ['replay', undefined]);
assert.deepEqual(hit('KeyJ', { alt: true }), ['back', undefined]);
assert.deepEqual(hit('KeyL', { alt: true }), ['forward', undefined]);
assert.deepEqual(hit('KeyS', { alt: true }), ['speedCycle', undefined]);
assert.deepEqual(hit('Digit7', { alt: true }), ['speed', 0.75]);
assert.deepEqual(hit('Digit0', { alt: true }), ['speed', 1.5]);
assert.deepEqual(hit('Digit3', { alt: true }), ['flag', 'distress']);
assert.deepEqual(hit('Digit6', { alt: true }), ['flag', 'pii_audible']);
assert.deepEqual(hit('Enter', { ctrl: true }), ['submit', undefined]);
assert.deepEqual(hit('NumpadEnter', { ctrl: true }), ['submit', undefined]);
assert.deepEqual(hit('KeyS', { ctrl: true, shift: true }), ['skip', undefined]);

// Editing and browser keys stay untouched.
for (const [code, mods] of [
  ['Space', {}], ['KeyK', {}], ['Enter', {}], ['KeyS', { ctrl: true }],
  ['ArrowLeft', { ctrl: true }], ['ArrowRight', { ctrl: true, shift: true }],
  ['ArrowLeft', { alt: true }], ['KeyA', { ctrl: true }], ['KeyZ', { ctrl: true }],
  ['Digit1', { ctrl: true }], ['Enter', { shift: true }],
]) {
  assert.equal(lookup(key(code, mods)), null, `${code} ${JSON.stringify(mods)} is bound`);
}

const intents = ['alarm_query', 'alarm_remove', 'alarm_set', 'calendar_set', 'weather_query'];
assert.equal(filterIntents(intents, 'alarm se')[0], 'alarm_set');
assert.equal(filterIntents(intents, 'set al')[0], 'alarm_set');  // calendar_set also has "al"
assert.deepEqual(filterIntents(intents, 'weather'), ['weather_query']);
assert.deepEqual(filterIntents(intents, 'set').slice(0, 2), ['alarm_set', 'calendar_set']);
assert.deepEqual(filterIntents(intents, 'nothing like it'), []);
assert.deepEqual(filterIntents(intents, '  '), intents);

// The empty workbench says why (the shape of GET /api/v1/review/waiting).
assert.deepEqual(waitingText({ waiting: 0, available: 0, hidden: [] }),
  { title: 'No clips waiting', why: 'The queue is empty right now.' });
assert.equal(waitingText({ waiting: 31, available: 0, hidden: [
  { reason: 'account_limit', label: 'per-account limit reached', tasks: 20 },
  { reason: 'other_region', label: 'other region', tasks: 11 },
] }).why, '31 tasks waiting, none you may hear: per-account limit reached (20), other region (11).');
assert.equal(waitingText({ waiting: 1, available: 0, hidden: [
  { reason: 'other_region', label: 'other region', tasks: 1 },
] }).why, '1 task waiting, none you may hear: other region (1).');
// After a submit a reviewer learns what a flag did with the clip.
assert.equal(submittedText([]), 'Submitted.');
assert.equal(submittedText(undefined), 'Submitted.');
assert.match(submittedText(['restricted']), /privacy officer/);
assert.match(submittedText(['deleted_false_wake']), /deleted/);
assert.match(submittedText(['restricted', 'typed_pii_hidden']), /stored as its tag/);
console.log('ok');
"""


def test_key_map_and_intent_filter() -> None:
    node = needs.node()
    result = subprocess.run(
        [node, "--input-type=module", "-e", SCRIPT, STATIC.as_uri()],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"

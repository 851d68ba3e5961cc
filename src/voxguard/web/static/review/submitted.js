// What the workbench says after a submit, from the answer's "effects" (review/flags.py).

/** The notice after a submit: what became of the clip when a flag acted on it. */
export function submittedText(effects) {
  const done = new Set(effects || []);
  if (done.has('deleted_false_wake')) {
    return 'Submitted. The recording was deleted: it was not meant for the assistant.';
  }
  if (done.has('typed_pii_hidden')) {
    return 'Submitted. What you typed named personal details: it is stored as its tag, and the '
      + 'clip went to the privacy officer, because the bleeps missed them.';
  }
  if (done.has('restricted')) {
    return 'Submitted. The clip went to the privacy officer: nobody else will hear it in review.';
  }
  return 'Submitted.';
}

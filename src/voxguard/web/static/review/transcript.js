// Transcript editor: a plain textarea (so editing, undo and spell-check are the browser's own)
// over a backdrop that mirrors its text and highlights PII tags such as [PERSON].

const TAG = /\[[A-Z][A-Z0-9_]*\]/g;

function escapeHtml(text) {
  return text.replace(/[&<>"']/g, (c) => (
    { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]
  ));
}

export class TranscriptEditor extends EventTarget {
  constructor(textarea, backdrop, next) {
    super();
    this.textarea = textarea;
    this.backdrop = backdrop;
    this.original = '';
    textarea.addEventListener('input', () => this.#sync());
    textarea.addEventListener('scroll', () => {
      backdrop.scrollTop = textarea.scrollTop;
    });
    textarea.addEventListener('keydown', (event) => {
      // Transcripts are one line: plain Enter moves on to the intent instead of a newline.
      if (event.key === 'Enter' && !event.ctrlKey && !event.metaKey && !event.altKey
          && !event.isComposing) {
        event.preventDefault();
        next();
      }
    });
    window.addEventListener('resize', () => this.#fit());
  }

  get value() {
    // Pasted line breaks and runs of spaces are not part of what was said.
    return this.textarea.value.replace(/\s+/g, ' ').trim();
  }

  get edited() {
    return this.value !== this.original.replace(/\s+/g, ' ').trim();
  }

  set(text) {
    this.original = text || '';
    this.textarea.value = this.original;
    this.#sync();
  }

  focusEnd() {
    this.textarea.focus();
    const end = this.textarea.value.length;
    this.textarea.setSelectionRange(end, end);
  }

  #sync() {
    const text = this.textarea.value;
    // The trailing space keeps a final newline from collapsing in the mirror.
    this.backdrop.innerHTML = escapeHtml(text).replace(TAG, (tag) => `<mark>${tag}</mark>`) + ' ';
    this.#fit();
    this.dispatchEvent(new Event('change'));
  }

  #fit() {
    this.textarea.style.height = 'auto';
    this.textarea.style.height = `${this.textarea.scrollHeight + 2}px`;
    this.backdrop.scrollTop = this.textarea.scrollTop;
  }
}

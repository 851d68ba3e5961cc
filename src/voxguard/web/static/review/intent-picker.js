// Intent picker: a type-ahead combobox (ARIA 1.2 pattern) over the intents the server knows.
// Typing filters (every typed word must appear; "alarm set" and "set al" both find alarm_set),
// ↑/↓ move, Enter or Tab picks, Escape closes. Mouse works too but is never needed.

const MAX_SHOWN = 50;

function words(text) {
  return text.toLowerCase().split(/[\s_\-./]+/).filter(Boolean);
}

/** Rank intents for a query: all query words must match; prefix matches first. */
export function filterIntents(intents, query) {
  const q = words(query);
  if (!q.length) return intents.slice();
  const scored = [];
  for (const intent of intents) {
    const parts = words(intent);
    let score = 0;
    let ok = true;
    for (const w of q) {
      if (parts.some((p) => p.startsWith(w))) score += 2;
      else if (intent.toLowerCase().includes(w)) score += 1;
      else { ok = false; break; }
    }
    if (ok) {
      if (intent.toLowerCase().startsWith(q[0])) score += 1;
      scored.push([score, intent]);
    }
  }
  scored.sort((a, b) => b[0] - a[0] || a[1].localeCompare(b[1]));
  return scored.map(([, intent]) => intent);
}

export class IntentPicker extends EventTarget {
  constructor(input, list) {
    super();
    this.input = input;
    this.list = list;
    this.intents = [];
    this.shown = [];
    this.active = -1;
    this.value = '';
    input.addEventListener('input', () => {
      this.value = '';
      this.#render(true);
      this.#changed();
    });
    input.addEventListener('focus', () => this.#render(true));
    input.addEventListener('blur', () => {
      this.#accept(true);
      this.close();
    });
    input.addEventListener('keydown', (event) => this.#key(event));
    list.addEventListener('mousedown', (event) => {
      const option = event.target.closest('[role="option"]');
      if (!option) return;
      event.preventDefault(); // keep focus in the input
      this.pick(option.dataset.value);
    });
  }

  setIntents(intents) {
    this.intents = [...new Set(intents)].sort();
  }

  /** The chosen intent, or '' when the text does not name one. */
  get selected() {
    return this.value;
  }

  clear() {
    this.value = '';
    this.input.value = '';
    this.input.classList.remove('chosen');
    this.close();
    this.#changed();
  }

  pick(intent) {
    this.value = intent;
    this.input.value = intent;
    this.input.classList.add('chosen');
    this.close();
    this.#changed();
  }

  close() {
    this.list.hidden = true;
    this.input.setAttribute('aria-expanded', 'false');
    this.input.removeAttribute('aria-activedescendant');
    this.active = -1;
  }

  /**
   * Make the typed text a choice if it is unambiguous (an exact name, or the only match).
   * Returns the chosen intent or ''.
   */
  commitTyped() {
    this.#accept(false);
    return this.value;
  }

  #accept(onBlur) {
    if (this.value) return;
    const text = this.input.value.trim();
    if (!text) return;
    const exact = this.intents.find((i) => i.toLowerCase() === text.toLowerCase());
    if (exact) { this.pick(exact); return; }
    if (!onBlur) {
      const hits = filterIntents(this.intents, text);
      if (hits.length === 1) this.pick(hits[0]);
    }
  }

  #changed() {
    this.input.classList.toggle('chosen', Boolean(this.value));
    this.dispatchEvent(new Event('change'));
  }

  #render(open) {
    if (!this.intents.length) { this.close(); return; }
    const query = this.value ? '' : this.input.value;
    this.shown = filterIntents(this.intents, query).slice(0, MAX_SHOWN);
    this.list.replaceChildren();
    this.shown.forEach((intent, i) => {
      const li = document.createElement('li');
      li.id = `intent-opt-${i}`;
      li.setAttribute('role', 'option');
      li.dataset.value = intent;
      li.textContent = intent.replaceAll('_', ' ');
      if (intent === this.value) li.setAttribute('aria-selected', 'true');
      this.list.append(li);
    });
    if (!this.shown.length) {
      const li = document.createElement('li');
      li.className = 'none';
      li.textContent = 'No intent matches';
      this.list.append(li);
    }
    this.#setActive(this.shown.length && query ? 0 : -1);
    if (open) {
      this.list.hidden = false;
      this.input.setAttribute('aria-expanded', 'true');
    }
  }

  #setActive(index) {
    const options = this.list.querySelectorAll('[role="option"]');
    options.forEach((li) => li.classList.remove('active'));
    this.active = index;
    if (index < 0 || index >= options.length) {
      this.input.removeAttribute('aria-activedescendant');
      return;
    }
    const li = options[index];
    li.classList.add('active');
    this.input.setAttribute('aria-activedescendant', li.id);
    li.scrollIntoView({ block: 'nearest' });
  }

  #key(event) {
    if (event.ctrlKey || event.altKey || event.metaKey) return; // global shortcuts
    const open = !this.list.hidden;
    switch (event.key) {
      case 'ArrowDown':
      case 'ArrowUp': {
        event.preventDefault();
        if (!open) this.#render(true);
        const n = this.shown.length;
        if (!n) return;
        const step = event.key === 'ArrowDown' ? 1 : -1;
        const start = this.active < 0 ? (step > 0 ? -1 : n) : this.active;
        this.#setActive((start + step + n) % n);
        return;
      }
      case 'Enter':
        event.preventDefault();
        if (open && this.active >= 0) this.pick(this.shown[this.active]);
        else this.#accept(false);
        return;
      case 'Tab':
        if (open && this.active >= 0 && !this.value) this.pick(this.shown[this.active]);
        return; // focus moves on as usual
      case 'Escape':
        if (open) { event.preventDefault(); this.close(); }
        return;
      default:
    }
  }
}

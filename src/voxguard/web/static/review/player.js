// The clip player: wavesurfer.js waveform, shaded redactions, speed, seeking, and a record of
// which parts of the clip were actually heard (submit needs the clip played to the end).

const BUCKET_S = 0.1; // resolution of the "heard" record
const HEARD_ENOUGH = 0.9; // share of the clip that must have been heard, besides reaching the end
const MAX_STEP_S = 0.6; // a larger jump between two time updates is a seek, not listening

function cssVar(name, fallback) {
  const value = getComputedStyle(document.body).getPropertyValue(name).trim();
  return value || fallback;
}

function regionLabel(type) {
  // Regions live in wavesurfer's shadow DOM, so the label is styled inline.
  const label = document.createElement('div');
  label.textContent = type;
  Object.assign(label.style, {
    font: '600 11px/1.2 system-ui, sans-serif',
    letterSpacing: '0.04em',
    color: cssVar('--redact-ink', '#7a4a00'),
    background: cssVar('--redact-label', 'rgba(255, 236, 200, 0.92)'),
    padding: '2px 5px',
    margin: '3px',
    borderRadius: '3px',
    whiteSpace: 'nowrap',
    pointerEvents: 'none',
  });
  return label;
}

export class ClipPlayer extends EventTarget {
  constructor(container, WaveSurfer, RegionsPlugin) {
    super();
    this.regions = RegionsPlugin.create();
    this.ws = WaveSurfer.create({
      container,
      height: 112,
      waveColor: cssVar('--wave', '#9aa6b2'),
      progressColor: cssVar('--wave-progress', '#176b66'),
      cursorColor: cssVar('--wave-cursor', '#0d3d3a'),
      cursorWidth: 2,
      barWidth: 2,
      barGap: 1,
      barRadius: 2,
      normalize: true,
      dragToSeek: true,
      plugins: [this.regions],
      // wavesurfer styles its shadow DOM with a <style> element: the page's CSP admits it only
      // with this response's nonce.
      cspNonce: document.body.dataset.cspNonce,
    });
    this.rate = 1;
    this.reset(0);
    this.ws.on('play', () => {
      this.lastTime = this.currentTime;
      this.#emit('state');
    });
    this.ws.on('pause', () => this.#emit('state'));
    this.ws.on('timeupdate', (t) => this.#tick(t));
    this.ws.on('seeking', () => { this.lastTime = null; });
    this.ws.on('interaction', () => { this.lastTime = null; });
    this.ws.on('finish', () => this.#finish());
  }

  reset(duration) {
    this.duration = duration;
    this.heard = new Uint8Array(Math.max(1, Math.ceil(duration / BUCKET_S)));
    this.heardCount = 0;
    this.reachedEnd = false;
    this.lastTime = null;
  }

  /** Load a clip from a Blob; resolves when the waveform is drawn. */
  async load(blob, { duration, redactions }) {
    this.ws.pause();
    this.regions.clearRegions();
    this.reset(duration || 0);
    await this.ws.loadBlob(blob);
    const real = this.ws.getDuration();
    if (real && Math.abs(real - this.duration) > BUCKET_S) this.reset(real);
    this.ws.setPlaybackRate(this.rate, true);
    for (const span of redactions || []) {
      this.regions.addRegion({
        start: span.start,
        end: span.end,
        color: cssVar('--redact', 'rgba(232, 152, 32, 0.30)'),
        content: regionLabel(span.type),
        drag: false,
        resize: false,
      });
    }
    this.#emit('time');
    this.#emit('heard');
  }

  empty() {
    this.ws.pause();
    this.regions.clearRegions();
    this.ws.empty();
    this.reset(0);
    this.#emit('time');
    this.#emit('heard');
  }

  get playing() { return this.ws.isPlaying(); }
  get currentTime() { return this.ws.getCurrentTime(); }
  get heardShare() { return this.heard.length ? this.heardCount / this.heard.length : 0; }
  get playedToEnd() { return this.reachedEnd && this.heardShare >= HEARD_ENOUGH; }

  /** Start playback; rejects when the browser blocks autoplay (no user gesture yet). */
  play() { return this.ws.play(); }

  toggle() { return this.playing ? (this.ws.pause(), Promise.resolve()) : this.play(); }

  seekBy(seconds) {
    this.lastTime = null;
    const t = Math.min(Math.max(0, this.currentTime + seconds), this.ws.getDuration() || 0);
    this.ws.setTime(t);
    this.#emit('time');
  }

  /** Jump back `seconds` and play from there. */
  replay(seconds) {
    this.seekBy(-seconds);
    return this.play();
  }

  setRate(rate) {
    this.rate = rate;
    this.ws.setPlaybackRate(rate, true); // keep the pitch: reviewers judge words, not voices
    this.#emit('rate');
  }

  #mark(from, to) {
    const first = Math.max(0, Math.floor(from / BUCKET_S));
    const last = Math.min(this.heard.length - 1, Math.ceil(to / BUCKET_S) - 1);
    for (let i = first; i <= last; i += 1) {
      if (!this.heard[i]) {
        this.heard[i] = 1;
        this.heardCount += 1;
      }
    }
  }

  #listened(from, to) {
    const step = to - from;
    return step > 0 && step <= MAX_STEP_S * Math.max(1, this.rate);
  }

  #tick(t) {
    // lastTime is only set while playing; the update that comes with a pause (or the end)
    // still closes the last stretch heard.
    if (this.lastTime !== null && this.#listened(this.lastTime, t)) {
      this.#mark(this.lastTime, t);
      this.#emit('heard');
    }
    this.lastTime = this.playing ? t : null;
    this.#emit('time');
  }

  #finish() {
    if (this.lastTime !== null && this.#listened(this.lastTime, this.duration)) {
      this.#mark(this.lastTime, this.duration);
    }
    this.lastTime = null;
    this.reachedEnd = true;
    this.#emit('heard');
    this.#emit('state');
    this.#emit('ended');
  }

  #emit(type) {
    this.dispatchEvent(new Event(type));
  }
}

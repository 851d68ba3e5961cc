// Why the queue looks empty to this reviewer, from GET /api/v1/review/waiting.

const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;

/** The empty state's title and sentence, e.g. "31 waiting, none you may hear: …". */
export function waitingText(w) {
  if (!w || !w.waiting) {
    return { title: 'No clips waiting', why: 'The queue is empty right now.' };
  }
  const reasons = (w.hidden || []).map((h) => `${h.label} (${h.tasks})`).join(', ');
  if (w.available) {
    // Rare: one became free between the lease and this question; the next check takes it.
    return {
      title: 'Clips waiting',
      why: `${plural(w.waiting, 'task', 'tasks')} waiting, ${w.available} for you now.`,
    };
  }
  return {
    title: 'No clips you may hear',
    why: `${plural(w.waiting, 'task', 'tasks')} waiting, none you may hear: ${reasons}.`,
  };
}

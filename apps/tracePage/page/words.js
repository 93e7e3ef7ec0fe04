// Words for the trace page: escaping, node names, counts, times. Shared by the
// page's other scripts (render.ts inlines them all, this one first).
const traceWords = {
  esc: (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]),
  /** `ping-pong1` for `ping-pong1@host`. */
  short: (node) => String(node ?? '?').split('@')[0],
  natural: (a, b) => a.localeCompare(b, 'en', { numeric: true }),
  plural: (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`,
  duration: (us) => (us >= 1e6 ? `${(us / 1e6).toFixed(2)} s` : `${(us / 1000).toFixed(1)} ms`),
  /** The message in a few words (the node recorded them: the same words as the live view). */
  what: (e) => e.what ?? '',
  /** A message's words without the details that change from one to the next: `consumer: cast {ping: …}`. */
  shape: (words) => {
    const m = /^(.*?[{[])\s*("?[\w$@.-]+"?\s*:)?(.*)$/.exec(words);
    if (!m || m[3].length <= 10) return words;
    return `${m[1]}${m[2] ? `${m[2]} ` : ''}…${m[1].endsWith('[') ? ']' : '}'}`;
  },
};

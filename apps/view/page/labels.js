// Where the live view writes a message's label in the picture: beside its link, in
// words short enough to fit, never over a node, another label or any line (so it
// never hides a message on its way), and only inside the part of the picture on
// screen. A label that finds no room is left out: the list beside shows it whole.

import { el } from './svg.js';

/** A label's type on screen, in pixels: never below the first (a room could not read it), never above the second (fewer would fit). */
const LABEL_PX = [19, 26];
/** Its size in the picture's units between those. */
const LABEL_UNITS = 21;
/** How far before a CUT mark a message the partition dropped stops, centre to centre (view.js draws it there). */
export const DROP_GAP = 64;
/** The room labels keep around a dropped message's ✕. */
const DROP_CLEAR = 26;
/** Labels in the picture: at most this many characters, the whole message is in the list. */
const LABEL_CHARS = 36;
const LABEL_SHORT_CHARS = 20;

const clip = (text, max) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** The part of the picture on screen, in the picture's coordinates (wider or taller than its viewBox). */
function visibleArea(svg) {
  const ctm = svg.getScreenCTM();
  const r = svg.getBoundingClientRect();
  if (!ctm || r.width === 0 || r.height === 0) return undefined;
  const inverse = ctm.inverse();
  const p0 = new DOMPoint(r.left, r.top).matrixTransform(inverse);
  const p1 = new DOMPoint(r.right, r.bottom).matrixTransform(inverse);
  return { x0: p0.x + 4, y0: p0.y + 4, x1: p1.x - 4, y1: p1.y - 4 };
}

const overlaps = (a, b) => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
const inside = (a, area) => a.x0 >= area.x0 && a.x1 <= area.x1 && a.y0 >= area.y0 && a.y1 <= area.y1;
const grow = (a, by) => ({ x0: a.x0 - by, y0: a.y0 - by, x1: a.x1 + by, y1: a.y1 + by });

/** Whether the segment p-q crosses the box (Liang-Barsky clipping). */
function crosses(p, q, box) {
  let t0 = 0;
  let t1 = 1;
  const dx = q.x - p.x;
  const dy = q.y - p.y;
  for (const [d, lo, hi, v] of [
    [dx, box.x0, box.x1, p.x],
    [dy, box.y0, box.y1, p.y],
  ]) {
    if (d === 0) {
      if (v < lo || v > hi) return false;
      continue;
    }
    let a = (lo - v) / d;
    let b = (hi - v) / d;
    if (a > b) [a, b] = [b, a];
    t0 = Math.max(t0, a);
    t1 = Math.min(t1, b);
    if (t0 > t1) return false;
  }
  return true;
}

/**
 * The words a label may show, longest first: the message with node names as the picture writes
 * them and only the first field of each object (`consumer: cast {ping: {index: 7, …}}`), then the
 * same without the name it is sent to, then its head (`consumer: cast`). The list has the whole message.
 */
function labelTexts(m) {
  const mark = m.kind === 'drop' ? '✕ ' : '';
  const named = firstFields(m.what.replace(/(["'])([^"'@\s]+)@[^"'\s]+\1/g, '$2'));
  // "consumer: cast {…}": without the name it is sent to, the message itself is shorter.
  const content = named.slice(named.indexOf(': ') + 2);
  // "consumer: cast", or "greeter: …" for a message that is plain data.
  const head = m.what.split(/\s[{['"]/)[0].replace(/:$/, ': …');
  return [...new Set([clip(named, LABEL_CHARS), clip(content, LABEL_CHARS), clip(head, LABEL_SHORT_CHARS)])].map((t) => mark + t);
}

/** `{a: {b: 1, c: 2}, d: 3}` as `{a: {b: 1, …}}`: up to the first comma inside braces, then closed. */
function firstFields(text) {
  const open = [];
  let quote;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '{' || c === '[') open.push(c === '{' ? '}' : ']');
    else if (c === '}' || c === ']') open.pop();
    else if (c === ',' && open.length > 0) return `${text.slice(0, i)}, …${open.reverse().join('')}`;
  }
  return text;
}

/**
 * A box of w x h beside the line from `from` to `to` (on the sender's left first, so the two
 * directions of a link take opposite sides), in the visible area, clear of `obstacles`, of the
 * labels placed before and of every line (a label never hides a message on its way).
 */
function spotFor(from, to, w, h, area, obstacles, placed, segments) {
  const len = Math.hypot(to.x - from.x, to.y - from.y) || 1;
  const u = { x: (to.x - from.x) / len, y: (to.y - from.y) / len };
  const n = { x: u.y, y: -u.x };
  const reach = (Math.abs(n.x) * w + Math.abs(n.y) * h) / 2 + 10;
  const free = (r) =>
    inside(r, area) && !obstacles.some((o) => overlaps(r, o)) && !placed.some((o) => overlaps(r, grow(o, 4))) && !segments.some((s) => crosses(s.p, s.q, r));
  for (const t of [0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8]) {
    for (const side of [1, -1]) {
      for (const extra of [0, 25, 50, 75]) {
        const cx = from.x + u.x * len * t + n.x * side * (reach + extra);
        const cy = from.y + u.y * len * t + n.y * side * (reach + extra);
        const r = { x0: cx - w / 2, y0: cy - h / 2, x1: cx + w / 2, y1: cy + h / 2 };
        if (free(r)) return r;
      }
    }
  }
  return undefined;
}


const boxOf = (e) => {
  const x = Number(e.getAttribute('x'));
  const y = Number(e.getAttribute('y'));
  return { x0: x, y0: y, x1: x + Number(e.getAttribute('width')), y1: y + Number(e.getAttribute('height')) };
};
const centre = (b) => ({ x: (b.x0 + b.x1) / 2, y: (b.y0 + b.y1) / 2 });

/**
 * Draws in `group` a label for each of `messages` ({ from, to, kind, what, title }, at most one per
 * directed link) that finds room in the picture `svg` as it is drawn now: its nodes, cut marks and
 * links are what labels keep clear of. Drops are placed first: the room must not miss them.
 */
export function drawLabels(svg, group, messages) {
  group.replaceChildren();
  const area = visibleArea(svg);
  if (!area || messages.length === 0) return;
  const nodes = new Map([...svg.querySelectorAll('g.node')].map((g) => [g.dataset.node, boxOf(g.querySelector('rect'))]));
  const obstacles = [...nodes.values()].map((b) => grow(b, 6));
  const segments = [...svg.querySelectorAll('line.link')].map((l) => ({
    kind: l.dataset.kind,
    p: { x: Number(l.getAttribute('x1')), y: Number(l.getAttribute('y1')) },
    q: { x: Number(l.getAttribute('x2')), y: Number(l.getAttribute('y2')) },
  }));
  // Where a dropped message stops, kept clear: beside a CUT mark on either side, else halfway along its link.
  const dot = (x, y) => grow({ x0: x, y0: y, x1: x, y1: y }, DROP_CLEAR);
  for (const { kind, p, q } of segments) if (kind !== 'cut') obstacles.push(dot((p.x + q.x) / 2, (p.y + q.y) / 2));
  for (const mark of svg.querySelectorAll('.cutmark')) {
    const b = boxOf(mark.querySelector('rect'));
    obstacles.push(grow(b, 4));
    const c = centre(b);
    const line = svg.querySelector(`line.link[data-a="${mark.dataset.a}"][data-b="${mark.dataset.b}"]`);
    if (!line) continue;
    const dx = Number(line.getAttribute('x2')) - Number(line.getAttribute('x1'));
    const dy = Number(line.getAttribute('y2')) - Number(line.getAttribute('y1'));
    const len = Math.hypot(dx, dy) || 1;
    for (const side of [1, -1]) obstacles.push(dot(c.x + (side * DROP_GAP * dx) / len, c.y + (side * DROP_GAP * dy) / len));
  }
  const scale = svg.getScreenCTM()?.a || 1;
  const fontSize = Math.min(Math.max(LABEL_UNITS * scale, LABEL_PX[0]), LABEL_PX[1]) / scale;
  const placed = [];
  const key = (m) => `${m.from}|${m.to}`;
  const order = [...messages].sort((a, b) => ((a.kind === 'drop') === (b.kind === 'drop') ? (key(a) < key(b) ? -1 : 1) : a.kind === 'drop' ? -1 : 1));
  for (const m of order) {
    const from = nodes.get(m.from);
    const to = nodes.get(m.to);
    if (!from || !to) continue;
    const label = el('g', { class: 'msglabel', 'data-kind': m.kind, 'data-link': key(m), 'data-from': m.from, 'data-to': m.to });
    const box = el('rect', { rx: 8 });
    const text = el('text', { 'text-anchor': 'middle', 'font-size': fontSize });
    label.append(el('title', {}, m.title), box, text);
    group.append(label);
    let spot;
    for (const words of labelTexts(m)) {
      text.textContent = words;
      const b = text.getBBox();
      spot = spotFor(centre(from), centre(to), b.width + 16, b.height + 8, area, obstacles, placed, segments);
      if (spot) break;
    }
    if (!spot) {
      label.remove(); // no room: the list shows it
      continue;
    }
    placed.push(spot);
    box.setAttribute('x', spot.x0);
    box.setAttribute('y', spot.y0);
    box.setAttribute('width', spot.x1 - spot.x0);
    box.setAttribute('height', spot.y1 - spot.y0);
    // Centre the text in its box whatever the font's ascent: move it by the difference of the two centres.
    text.setAttribute('x', (spot.x0 + spot.x1) / 2);
    text.setAttribute('y', 0);
    const b = text.getBBox();
    text.setAttribute('y', (spot.y0 + spot.y1) / 2 - (b.y + b.height / 2));
  }
}

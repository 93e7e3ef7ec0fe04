// The live view's page: draws the cluster the server pushes over the WebSocket
// (nodes, connections, cuts, nodes down), animates the messages, labels them
// where a label has room, lists the latest in full, and sends the buttons'
// commands. Plain DOM and SVG: there is nothing to build.
import { DROP_GAP, drawLabels } from './labels.js';
import { el } from './svg.js';
import { DROP_MS, drawList, fate, fitList } from './messageList.js';

const W = 1000;
const H = 720;
const BOX_W = 270;
const BOX_H = 104;
const CUT_W = 72;
const CUT_H = 40;
const FLIGHT_MS = 900;
const MAX_FLYING = 40;
/** A link's label stays this long after its latest message. */
const LABEL_MS = 1600;
/** The list changes at most this often, so that a room can read it. */
const LIST_MS = 1000;

const $ = (id) => document.getElementById(id);
const short = (node) => node.split('@')[0];
let state = { title: '', caption: '', observer: '', nodes: [] };
let socket;
/** The server's last word when it closed for good (a demo that ended): the page stops reconnecting. */
let farewell;
let nextId = 1;
let flying = 0;
let sentThisSecond = 0;
/** The messages the list may show, newest first. */
let recent = [];
/** Per directed link (`from|to`), the message its label shows now. */
const labels = new Map();
/** Per cut link (`a|b`, a < b), how far from a to b its CUT mark sits (0 to 1). */
const cuts = new Map();

const connected = () => Boolean(socket) && socket.readyState === WebSocket.OPEN && farewell === undefined;

/** Where each node sits: on a circle, the first at the top, clockwise, with room between boxes for labels. */
function positions(nodes) {
  const at = new Map();
  const n = nodes.length;
  const r = n <= 1 ? 0 : n === 2 ? 320 : Math.max(n === 3 ? 270 : 260, (BOX_W + 80) / (2 * Math.sin(Math.PI / n)));
  nodes.forEach((node, i) => {
    const angle = n === 2 ? Math.PI * i : -Math.PI / 2 + (2 * Math.PI * i) / n;
    at.set(node.name, { x: W / 2 + r * Math.cos(angle), y: H / 2 + r * Math.sin(angle) * (n === 2 ? 0 : 0.92) });
  });
  return at;
}

/** Frames the nodes tightly, so they are as large as the screen allows (a 1280x720 projector too). */
function fit(at) {
  const xs = [...at.values()].map((p) => p.x);
  const ys = [...at.values()].map((p) => p.y);
  if (xs.length === 0) return $('picture').setAttribute('viewBox', `0 0 ${W} ${H}`);
  const margin = 16;
  const x0 = Math.min(...xs) - BOX_W / 2 - margin;
  const y0 = Math.min(...ys) - BOX_H / 2 - margin;
  const w = Math.max(...xs) - Math.min(...xs) + BOX_W + 2 * margin;
  const h = Math.max(...ys) - Math.min(...ys) + BOX_H + 2 * margin;
  const minH = 240;
  $('picture').setAttribute('viewBox', `${x0} ${h < minH ? y0 - (minH - h) / 2 : y0} ${Math.max(w, 420)} ${Math.max(h, minH)}`);
}

function pairKey(a, b) {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}

function draw() {
  document.body.dataset.connected = String(connected());
  document.body.dataset.ended = String(farewell !== undefined);
  $('offline').textContent = farewell ?? "Not connected to the cluster's view: waiting for it (the demo may have ended). The picture is the last one seen.";
  if (!connected()) $('rate').textContent = '';
  $('title').textContent = state.title || 'distsys live view';
  document.title = `${state.title || 'distsys'}: live view`;
  $('caption').textContent = state.caption;
  $('observer').textContent = state.observer
    ? `Watched from ${state.observer}, which reaches every node, also across a partition (it is not drawn).`
    : '';
  const at = positions(state.nodes);
  fit(at);
  const links = $('links');
  const nodes = $('nodes');
  links.replaceChildren();
  nodes.replaceChildren();
  $('marks').replaceChildren();

  const byName = new Map(state.nodes.map((n) => [n.name, n]));
  const pairs = new Map();
  for (const node of state.nodes) {
    if (node.status !== 'up') continue;
    for (const other of node.blocked) if (byName.get(other)?.status === 'up') pairs.set(pairKey(node.name, other), 'cut');
  }
  for (const node of state.nodes) {
    if (node.status !== 'up') continue;
    for (const other of node.connected) {
      if (!byName.has(other) || byName.get(other).status !== 'up') continue;
      const key = pairKey(node.name, other);
      if (!pairs.has(key)) pairs.set(key, 'connected');
    }
  }
  cuts.clear();
  const marked = [];
  for (const [key, kind] of pairs) {
    const [a, b] = key.split('|');
    const pa = at.get(a);
    const pb = at.get(b);
    links.append(el('line', { class: 'link', 'data-kind': kind, 'data-a': a, 'data-b': b, x1: pa.x, y1: pa.y, x2: pb.x, y2: pb.y }));
    if (kind === 'cut') {
      const t = cutSpot(pa, pb, at, marked);
      const mx = pa.x + (pb.x - pa.x) * t;
      const my = pa.y + (pb.y - pa.y) * t;
      marked.push({ x: mx, y: my });
      cuts.set(key, t);
      const mark = el('g', { class: 'cutmark', 'data-a': a, 'data-b': b });
      mark.append(el('rect', { x: mx - CUT_W / 2, y: my - CUT_H / 2, width: CUT_W, height: CUT_H, rx: 8 }), el('text', { x: mx, y: my + 9, 'text-anchor': 'middle' }, 'CUT'));
      $('marks').append(mark);
    }
  }

  for (const node of state.nodes) {
    const p = at.get(node.name);
    const cut = node.status === 'up' && node.blocked.length > 0;
    const g = el('g', { class: 'node', 'data-node': node.name, 'data-status': node.status, 'data-cut': String(cut) });
    g.append(
      el('rect', { x: p.x - BOX_W / 2, y: p.y - BOX_H / 2, width: BOX_W, height: BOX_H, rx: 18 }),
      el('text', { class: 'label', x: p.x, y: p.y - 2, 'text-anchor': 'middle' }, short(node.name)),
      el('text', { class: 'sub', x: p.x, y: p.y + 32, 'text-anchor': 'middle' }, subtitle(node)),
    );
    nodes.append(g);
  }
  if (state.nodes.length === 0) {
    nodes.append(el('text', { class: 'sub', x: W / 2, y: H / 2, 'text-anchor': 'middle' }, 'no nodes yet'));
  }
  drawControls();
  placeLabels();
}

/**
 * Where along the line from `pa` to `pb` its CUT mark goes: halfway if the mark is clear of every
 * node box and of the marks before it (lines of a ring cross at the centre), else a little off.
 */
function cutSpot(pa, pb, at, marked) {
  const clear = (t) => {
    const x = pa.x + (pb.x - pa.x) * t;
    const y = pa.y + (pb.y - pa.y) * t;
    const offNodes = [...at.values()].every((p) => Math.abs(p.x - x) > (BOX_W + CUT_W) / 2 + 4 || Math.abs(p.y - y) > (BOX_H + CUT_H) / 2 + 4);
    return offNodes && marked.every((m) => Math.abs(m.x - x) > CUT_W + 8 || Math.abs(m.y - y) > CUT_H + 8);
  };
  return [0.5, 0.38, 0.62, 0.3, 0.7].find(clear) ?? 0.5;
}

function subtitle(node) {
  if (node.status === 'down') return 'DOWN';
  if (node.status === 'unreachable') return 'not answering';
  if (node.blocked.length > 0) return `cut off from ${node.blocked.length}`;
  const n = node.connected.length;
  return n === 0 ? 'alone' : `connected to ${n}`;
}

function drawControls() {
  const box = $('controls');
  box.replaceChildren();
  for (const node of state.nodes) {
    const row = document.createElement('div');
    row.className = 'row';
    row.dataset.node = node.name;
    row.dataset.status = node.status;
    row.dataset.cut = String(node.status === 'up' && node.blocked.length > 0);
    // The node's state is written in its box in the picture; here its name only, coloured the same way.
    const name = document.createElement('span');
    name.className = 'name';
    name.textContent = short(node.name);
    name.title = `${node.name}: ${subtitle(node)}`;
    const buttons = document.createElement('div');
    buttons.className = 'buttons';
    const up = node.status === 'up';
    buttons.append(
      button('partition', node.name, 'Cut off', !up || othersUp(node).every((o) => node.blocked.includes(o)), 'Cuts this node off from every other node, both ways'),
      button('kill', node.name, 'Kill -9', !up || !node.owned, 'Stops the node at once (kill -9)'),
      button('restart', node.name, 'Restart', up || !node.owned, 'Starts the node again under the same name'),
    );
    row.append(name, buttons);
    box.append(row);
  }
  $('heal').disabled = !connected() || !state.nodes.some((n) => n.status === 'up' && n.blocked.length > 0);
  $('lifecycle-note').textContent = state.noLifecycle ?? '';
}

/** The other nodes that are up: cutting a node off from all of them is the most a partition can do. */
function othersUp(node) {
  return state.nodes.filter((n) => n.name !== node.name && n.status === 'up').map((n) => n.name);
}

function button(op, node, label, disabled, title) {
  const b = document.createElement('button');
  b.dataset.op = op;
  b.dataset.node = node;
  b.textContent = label;
  b.title = title;
  b.disabled = disabled || !connected();
  return b;
}

const WORDS = { partition: 'Cutting off', heal: 'Healing every cut', kill: 'Killing (kill -9)', restart: 'Restarting' };

function command(op, node) {
  if (!connected()) return;
  const id = nextId++;
  socket.send(JSON.stringify(node ? { id, op, node } : { id, op }));
  setStatus(`${WORDS[op]}${node ? ` ${short(node)}` : ''}…`);
}

function setStatus(text, error = false) {
  const s = $('status');
  s.textContent = text;
  s.classList.toggle('error', error);
}

/** A message: a dot from the sender to the receiver; a dropped one stops halfway, where a ✕ stays a while. */
function fly(msg, startIn) {
  if (flying >= MAX_FLYING) return false;
  const at = positions(state.nodes);
  const from = at.get(msg.from);
  const to = at.get(msg.to);
  if (!from || !to) return false;
  flying++;
  const copies = msg.kind === 'duplicate' ? 2 : 1;
  for (let c = 0; c < copies; c++) {
    const dot = el('circle', { class: `msg ${msg.kind}`, r: 14, cx: from.x, cy: from.y, opacity: 0 });
    $('flying').append(dot);
    const duration = msg.kind === 'delay' ? FLIGHT_MS + Math.min(2500, 4 * (msg.ms ?? 0) + 600) : FLIGHT_MS;
    const stopAt = msg.kind === 'drop' ? dropStop(msg, from, to) : 1;
    const begin = performance.now() + startIn + c * 220;
    const step = (now) => {
      const t = Math.max(0, Math.min(1, (now - begin) / duration));
      const k = t * stopAt;
      const x = from.x + (to.x - from.x) * k;
      const y = from.y + (to.y - from.y) * k;
      dot.setAttribute('cx', x);
      dot.setAttribute('cy', y);
      dot.setAttribute('opacity', now < begin ? 0 : 1);
      if (t < 1) return requestAnimationFrame(step);
      dot.remove();
      if (msg.kind === 'drop') dropMark(msg, x, y);
      if (c === copies - 1) flying--;
    };
    requestAnimationFrame(step);
  }
  return true;
}

/**
 * How far along its link a dropped message goes: on a cut link, to just before the CUT mark on the
 * sender's side (the partition is what stopped it); elsewhere (a fault), halfway.
 */
function dropStop(msg, from, to) {
  const t = cuts.get(pairKey(msg.from, msg.to));
  if (t === undefined) return 0.5;
  const along = msg.from < msg.to ? t : 1 - t;
  const len = Math.hypot(to.x - from.x, to.y - from.y) || 1;
  return Math.max(0.1, along - DROP_GAP / len);
}

/** Where a dropped message ended: a ✕ in a ring, halfway along its link, for DROP_MS. */
function dropMark(msg, x, y) {
  const key = `${msg.from}|${msg.to}`;
  for (const old of $('drops').querySelectorAll('.dropmark')) if (old.dataset.link === key) old.remove();
  const mark = el('g', { class: 'dropmark', 'data-link': key, 'data-from': msg.from, 'data-to': msg.to });
  mark.append(el('circle', { cx: x, cy: y, r: 22 }), el('text', { x, y: y + 12, 'text-anchor': 'middle' }, '✕'));
  $('drops').append(mark);
  setTimeout(() => mark.remove(), DROP_MS);
}

function onMessages(batch) {
  if (!connected()) return;
  const now = performance.now();
  const spread = 150 / Math.max(1, batch.items.length);
  batch.items.forEach((m, i) => fly(m, i * spread));
  sentThisSecond += batch.items.length + batch.unsampled;
  for (const m of batch.items) {
    const key = `${m.from}|${m.to}`;
    const shown = labels.get(key);
    // A drop keeps its label for its time: the messages after it on the link do not hide it.
    if (shown?.kind === 'drop' && m.kind !== 'drop' && shown.until > now) continue;
    labels.set(key, { ...m, until: now + (m.kind === 'drop' ? DROP_MS : LABEL_MS) });
  }
  recent = [...batch.items.map((m) => ({ ...m, at: now })).reverse(), ...recent].slice(0, 200);
  placeLabels();
}

function placeLabels() {
  const now = performance.now();
  for (const [key, m] of labels) if (m.until <= now || !connected()) labels.delete(key);
  const up = new Set(state.nodes.filter((n) => n.status === 'up').map((n) => n.name));
  // A message that crossed a link before it was cut is not labelled on the cut line.
  const shown = [...labels.values()].filter((m) => up.has(m.from) && (m.kind === 'drop' || !cuts.has(pairKey(m.from, m.to)))).map((m) => ({ ...m, title: `${short(m.from)} → ${short(m.to)}${fate(m) ? ` ${fate(m)}` : ''}: ${m.what}` }));
  drawLabels($('picture'), $('labels'), shown);
}

setInterval(placeLabels, 250);
setInterval(() => {
  $('rate').textContent = sentThisSecond && connected() ? `(${sentThisSecond} per second)` : '';
  sentThisSecond = 0;
}, 1000);
setInterval(() => {
  if (!connected()) return;
  const now = performance.now();
  recent = recent.filter((m) => now - m.at < 30_000);
  drawList($('recent'), recent, now);
}, LIST_MS);

function connect() {
  const token = new URLSearchParams(location.search).get('token') ?? '';
  socket = new WebSocket(`ws://${location.host}/ws?token=${encodeURIComponent(token)}`);
  socket.onopen = () => draw();
  socket.onmessage = (event) => {
    const data = JSON.parse(event.data);
    if (data.type === 'state') {
      state = data.state;
      draw();
    } else if (data.type === 'messages') onMessages(data);
    else if (data.type === 'done') setStatus(data.ok ? 'Done.' : `Refused: ${data.error}`, !data.ok);
    else if (data.type === 'end') {
      farewell = String(data.text);
      draw();
    }
  };
  socket.onclose = () => {
    $('flying').replaceChildren();
    $('drops').replaceChildren();
    draw();
    if (farewell === undefined) setTimeout(connect, 1000);
  };
}

window.addEventListener('resize', () => placeLabels());
document.addEventListener('click', (event) => {
  const b = event.target.closest('button[data-op]');
  if (b && !b.disabled) command(b.dataset.op, b.dataset.node);
});
draw();
connect();

// The live view's page: draws the cluster the server pushes over the WebSocket
// (nodes, connections, cuts, nodes down), animates the messages, and sends the
// buttons' commands. Plain DOM and SVG: there is nothing to build.
const SVG = 'http://www.w3.org/2000/svg';
const W = 1000;
const H = 720;
const BOX_W = 270;
const BOX_H = 104;
const FLIGHT_MS = 900;
const MAX_FLYING = 40;
const RECENT = 4;

const $ = (id) => document.getElementById(id);
const short = (node) => node.split('@')[0];
let state = { title: '', caption: '', observer: '', nodes: [] };
let socket;
let nextId = 1;
let flying = 0;
let sentThisSecond = 0;
const recent = [];

function el(name, attrs = {}, text) {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** Where each node sits: on a circle, the first at the top, clockwise. */
function positions(nodes) {
  const at = new Map();
  const n = nodes.length;
  // Far enough apart that neighbouring boxes never touch, however many nodes there are.
  const r = n <= 1 ? 0 : n === 2 ? 300 : Math.max(230, (BOX_W + 60) / (2 * Math.sin(Math.PI / n)));
  nodes.forEach((node, i) => {
    const angle = n === 2 ? Math.PI * i : -Math.PI / 2 + (2 * Math.PI * i) / n;
    at.set(node.name, { x: W / 2 + r * Math.cos(angle), y: H / 2 + r * Math.sin(angle) * (n === 2 ? 0 : 0.92) });
  });
  return at;
}

/** Frames the nodes tightly, so they are as large as the screen allows (a 1024x768 projector too). */
function fit(at) {
  const xs = [...at.values()].map((p) => p.x);
  const ys = [...at.values()].map((p) => p.y);
  if (xs.length === 0) return $('picture').setAttribute('viewBox', `0 0 ${W} ${H}`);
  const margin = 24;
  const x0 = Math.min(...xs) - BOX_W / 2 - margin;
  const y0 = Math.min(...ys) - BOX_H / 2 - margin;
  const w = Math.max(...xs) - Math.min(...xs) + BOX_W + 2 * margin;
  const h = Math.max(...ys) - Math.min(...ys) + BOX_H + 2 * margin;
  $('picture').setAttribute('viewBox', `${x0} ${y0} ${Math.max(w, 420)} ${Math.max(h, 200)}`);
}

function pairKey(a, b) {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}

function draw() {
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
  for (const [key, kind] of pairs) {
    const [a, b] = key.split('|');
    const pa = at.get(a);
    const pb = at.get(b);
    links.append(el('line', { class: 'link', 'data-kind': kind, 'data-a': a, 'data-b': b, x1: pa.x, y1: pa.y, x2: pb.x, y2: pb.y }));
    if (kind === 'cut') {
      // A third of the way along, not halfway: lines of a ring cross at the centre.
      const mx = pa.x + (pb.x - pa.x) * 0.33;
      const my = pa.y + (pb.y - pa.y) * 0.33;
      const mark = el('g', { class: 'cutmark' });
      mark.append(el('rect', { x: mx - 36, y: my - 20, width: 72, height: 40, rx: 8 }), el('text', { x: mx, y: my + 9, 'text-anchor': 'middle' }, 'CUT'));
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
    const name = document.createElement('span');
    name.className = 'name';
    name.textContent = short(node.name);
    const what = document.createElement('span');
    what.className = 'what';
    what.textContent = subtitle(node).toLowerCase();
    const buttons = document.createElement('div');
    buttons.className = 'buttons';
    const up = node.status === 'up';
    buttons.append(
      button('partition', node.name, 'Cut off', !up || othersUp(node).every((o) => node.blocked.includes(o))),
      button('kill', node.name, 'Kill -9', !up || !node.owned),
      button('restart', node.name, 'Restart', up || !node.owned),
    );
    row.append(name, what, buttons);
    box.append(row);
  }
  $('heal').disabled = !state.nodes.some((n) => n.status === 'up' && n.blocked.length > 0);
  $('lifecycle-note').textContent = state.noLifecycle ?? 'Kill -9 stops a node at once; Restart starts it again under the same name.';
}

/** The other nodes that are up: cutting a node off from all of them is the most a partition can do. */
function othersUp(node) {
  return state.nodes.filter((n) => n.name !== node.name && n.status === 'up').map((n) => n.name);
}

function button(op, node, label, disabled) {
  const b = document.createElement('button');
  b.dataset.op = op;
  b.dataset.node = node;
  b.textContent = label;
  b.disabled = disabled || !socket || socket.readyState !== WebSocket.OPEN;
  return b;
}

const WORDS = { partition: 'Cutting off', heal: 'Healing every cut', kill: 'Killing (kill -9)', restart: 'Restarting' };

function command(op, node) {
  if (!socket || socket.readyState !== WebSocket.OPEN) return;
  const id = nextId++;
  socket.send(JSON.stringify(node ? { id, op, node } : { id, op }));
  setStatus(`${WORDS[op]}${node ? ` ${short(node)}` : ''}…`);
}

function setStatus(text, error = false) {
  const s = $('status');
  s.textContent = text;
  s.classList.toggle('error', error);
}

/** A message: a dot from the sender to the receiver; a dropped one stops halfway. */
function fly(msg, startIn) {
  if (flying >= MAX_FLYING) return false;
  const at = positions(state.nodes);
  const from = at.get(msg.from);
  const to = at.get(msg.to);
  if (!from || !to) return false;
  flying++;
  const labelled = flying <= 3;
  const copies = msg.kind === 'duplicate' ? 2 : 1;
  for (let c = 0; c < copies; c++) {
    const dot = el('circle', { class: `msg ${msg.kind}`, r: 14, cx: from.x, cy: from.y, opacity: 0 });
    const text = labelled && c === 0 ? el('text', { class: 'msgtext', x: from.x, y: from.y }, msg.what) : undefined;
    $('flying').append(dot);
    if (text) $('flying').append(text);
    const duration = msg.kind === 'delay' ? FLIGHT_MS + Math.min(2500, 4 * (msg.ms ?? 0) + 600) : FLIGHT_MS;
    const stopAt = msg.kind === 'drop' ? 0.5 : 1;
    const begin = performance.now() + startIn + c * 220;
    const step = (now) => {
      const t = Math.max(0, Math.min(1, (now - begin) / duration));
      const k = t * stopAt;
      const x = from.x + (to.x - from.x) * k;
      const y = from.y + (to.y - from.y) * k;
      dot.setAttribute('cx', x);
      dot.setAttribute('cy', y);
      dot.setAttribute('opacity', now < begin ? 0 : 1);
      if (text) {
        text.setAttribute('x', x + 18);
        text.setAttribute('y', y - 18);
        text.setAttribute('opacity', now < begin ? 0 : 1);
      }
      if (t < 1) return requestAnimationFrame(step);
      dot.remove();
      text?.remove();
      if (msg.kind === 'drop') {
        const mark = el('text', { class: 'dropmark', x, y: y + 15, 'text-anchor': 'middle' }, '✕');
        $('flying').append(mark);
        setTimeout(() => mark.remove(), 700);
      }
      if (c === copies - 1) flying--;
    };
    requestAnimationFrame(step);
  }
  return true;
}

function onMessages(batch) {
  const spread = 150 / Math.max(1, batch.items.length);
  batch.items.forEach((m, i) => fly(m, i * spread));
  sentThisSecond += batch.items.length + batch.unsampled;
  for (const m of batch.items) recent.unshift(m);
  recent.splice(RECENT);
  const list = $('recent');
  list.replaceChildren(
    ...recent.map((m) => {
      const li = document.createElement('li');
      const kind = document.createElement('span');
      kind.className = `kind k-${m.kind}`;
      kind.textContent = m.kind === 'send' ? '' : `${m.kind.toUpperCase()} `;
      const route = document.createElement('span');
      route.className = 'route';
      route.append(kind, `${short(m.from)} → ${short(m.to)}`);
      const text = document.createElement('span');
      text.className = 'text';
      text.textContent = m.what;
      li.append(route, text);
      return li;
    }),
  );
}

setInterval(() => {
  $('rate').textContent = sentThisSecond ? `(${sentThisSecond} per second)` : '';
  sentThisSecond = 0;
}, 1000);

function connect() {
  const token = new URLSearchParams(location.search).get('token') ?? '';
  socket = new WebSocket(`ws://${location.host}/ws?token=${encodeURIComponent(token)}`);
  socket.onopen = () => {
    document.body.dataset.connected = 'true';
    draw();
  };
  socket.onmessage = (event) => {
    const data = JSON.parse(event.data);
    if (data.type === 'state') {
      state = data.state;
      draw();
    } else if (data.type === 'messages') onMessages(data);
    else if (data.type === 'done') setStatus(data.ok ? 'Done.' : `Refused: ${data.error}`, !data.ok);
  };
  socket.onclose = () => {
    document.body.dataset.connected = 'false';
    draw();
    setTimeout(connect, 1000);
  };
}

document.addEventListener('click', (event) => {
  const b = event.target.closest('button[data-op]');
  if (b && !b.disabled) command(b.dataset.op, b.dataset.node);
});
draw();
connect();

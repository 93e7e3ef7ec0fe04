// Draws the trace inlined in this page as a sequence diagram: one lane per
// node, one row per event, an arrow from each send to its delivery. Plain DOM
// and SVG strings: the page is opened from disk, with no network and no build.
(() => {
  const { events } = JSON.parse(document.getElementById('trace-data').textContent);
  const KINDS = ['send', 'deliver', 'drop', 'duplicate', 'delay', 'nodeup', 'nodedown', 'partition', 'heal'];
  const SENDS = new Set(['send', 'duplicate', 'delay', 'drop']);
  const ROW = 36;
  const TOP = 18;
  const LEFT = 250;
  const LANE = 340;
  const PAGE = 2500;
  const GAP_US = 100_000;

  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
  const short = (node) => String(node ?? '?').split('@')[0];
  const natural = (a, b) => a.localeCompare(b, 'en', { numeric: true });
  const nodes = [...new Set(events.flatMap((e) => [e.node, ...(SENDS.has(e.kind) || e.kind === 'deliver' ? [e.peer] : [])]).filter(Boolean))].sort(natural);
  const t0 = events.length ? events[0].us : 0;

  // Join each delivery to its send: same link and hash, the earliest one not yet delivered
  // (a duplicate is delivered twice). Deliveries of sends made before the trace began have none.
  const source = new Map();
  const deliveries = new Map();
  const open = new Map();
  events.forEach((e, i) => {
    const key = `${e.link}|${e.hash}`;
    if (e.kind === 'send' || e.kind === 'duplicate' || e.kind === 'delay') {
      const list = open.get(key) ?? [];
      list.push({ i, left: e.kind === 'duplicate' ? 2 : 1 });
      open.set(key, list);
    } else if (e.kind === 'deliver') {
      const list = open.get(key);
      const first = list?.[0];
      if (!first) return;
      source.set(i, first.i);
      deliveries.set(first.i, [...(deliveries.get(first.i) ?? []), i]);
      if (--first.left === 0) list.shift();
    }
  });

  /** The message in a few words (render.ts summarised it: the same words as the live view). */
  const what = (e) => e.what ?? '';
  const clip = (text, max) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

  const duration = (us) => (us >= 1e6 ? `${(us / 1e6).toFixed(2)} s` : `${(us / 1000).toFixed(1)} ms`);
  /** A count, in its kind's colour only when there is something to see. */
  const tally = (n, words, kind) => (n > 0 ? `<span class="k-${kind}">${n} ${words}</span>` : `${n} ${words}`);

  // The summary: what each link carried.
  function summary() {
    const links = new Map();
    const row = (link) => {
      if (!links.has(link)) links.set(link, { sent: 0, delivered: 0, dropped: 0, duplicated: 0, delayed: 0 });
      return links.get(link);
    };
    for (const e of events) {
      if (!e.link) continue;
      const r = row(e.link);
      if (SENDS.has(e.kind)) r.sent++;
      if (e.kind === 'deliver') r.delivered++;
      if (e.kind === 'drop') r.dropped++;
      if (e.kind === 'duplicate') r.duplicated++;
      if (e.kind === 'delay') r.delayed++;
    }
    const total = (k) => [...links.values()].reduce((s, r) => s + r[k], 0);
    const count = (kind) => events.filter((e) => e.kind === kind).length;
    const lines = [...links.entries()].sort(([a], [b]) => natural(a, b));
    return `<h2>Summary</h2>
      <p id="totals">${events.length} events on ${nodes.length} nodes over ${duration((events.at(-1)?.us ?? t0) - t0)}:
        ${total('sent')} messages sent, ${total('delivered')} delivered, ${tally(total('dropped'), 'dropped', 'drop')},
        ${tally(total('duplicated'), 'duplicated', 'duplicate')}, ${tally(total('delayed'), 'delayed', 'delay')};
        ${tally(count('nodedown'), 'nodedown', 'nodedown')}, ${tally(count('nodeup'), 'nodeup', 'nodeup')},
        ${tally(count('partition'), 'partition', 'partition')}, ${tally(count('heal'), 'heal', 'heal')}.</p>
      <table id="links"><thead><tr><th>link (sender → receiver)</th><th>sent</th><th>delivered</th><th>dropped</th><th>duplicated</th><th>delayed</th></tr></thead><tbody>
      ${lines
        .map(([link, r]) => `<tr data-link="${esc(link)}"><td>${esc(link.split('->').map(short).join(' → '))}</td><td>${r.sent}</td><td>${r.delivered}</td>
          <td class="${r.dropped ? 'bad' : ''}">${r.dropped}</td><td>${r.duplicated}</td><td>${r.delayed}</td></tr>`)
        .join('')}
      </tbody></table>`;
  }
  document.getElementById('summary').innerHTML = summary();

  const shownNodes = new Set(nodes);
  const shownKinds = new Set(KINDS);
  let page = 0;

  function filters() {
    const box = (group, value, label, cls = '') =>
      `<label class="${cls}"><input type="checkbox" data-group="${group}" value="${esc(value)}" checked> ${esc(label)}</label>`;
    document.getElementById('filters').innerHTML = `
      <fieldset><legend>Nodes</legend>${nodes.map((n) => box('node', n, short(n))).join('')}</fieldset>
      <fieldset><legend>Kinds</legend>${KINDS.map((k) => box('kind', k, k, `k-${k}`)).join('')}</fieldset>`;
    document.getElementById('filters').addEventListener('change', (ev) => {
      const input = ev.target;
      const set = input.dataset.group === 'node' ? shownNodes : shownKinds;
      if (input.checked) set.add(input.value);
      else set.delete(input.value);
      page = 0;
      render();
    });
  }

  function render() {
    const lanes = nodes.filter((n) => shownNodes.has(n));
    const laneX = new Map(lanes.map((n, i) => [n, LEFT + LANE / 2 + i * LANE]));
    const visible = [];
    events.forEach((e, i) => {
      if (shownNodes.has(e.node) && shownKinds.has(e.kind)) visible.push(i);
    });
    const pages = Math.max(1, Math.ceil(visible.length / PAGE));
    page = Math.min(page, pages - 1);
    const slice = visible.slice(page * PAGE, (page + 1) * PAGE);
    const rowOf = new Map(slice.map((i, r) => [i, r]));
    const width = LEFT + Math.max(1, lanes.length) * LANE + 40;
    const height = TOP + slice.length * ROW + 40;
    const y = (r) => TOP + r * ROW + ROW / 2;
    const out = [];
    for (const n of lanes) out.push(`<line class="lane" x1="${laneX.get(n)}" y1="0" x2="${laneX.get(n)}" y2="${height}"/>`);

    let previous;
    slice.forEach((i, r) => {
      const e = events[i];
      const gap = previous === undefined ? 0 : e.us - events[previous].us;
      if (gap > GAP_US) {
        out.push(`<line class="gapline" x1="0" x2="${width}" y1="${y(r) - ROW / 2}" y2="${y(r) - ROW / 2}"/>`);
      }
      out.push(`<text class="${gap > GAP_US ? 'gap' : 'time'}" x="8" y="${y(r) + 5}">${gap > GAP_US ? `${(gap / 1e6).toFixed(2)} s later` : `+${((e.us - t0) / 1000).toFixed(1)} ms`}</text>`);
      previous = i;
    });

    for (const i of slice) {
      const e = events[i];
      const r = rowOf.get(i);
      const x = laneX.get(e.node);
      const yy = y(r);
      if (SENDS.has(e.kind)) {
        const to = laneX.get(e.peer);
        const targets = (deliveries.get(i) ?? []).filter((d) => rowOf.has(d) && to !== undefined);
        const label = `${e.kind === 'send' ? '' : `${e.kind.toUpperCase()}${e.kind === 'delay' && e.detail?.ms !== undefined ? ` ${e.detail.ms} ms` : ''}: `}${what(e)}`;
        const dir = to === undefined ? 1 : Math.sign(to - x) || 1;
        if (e.kind === 'drop' || targets.length === 0) {
          const end = to !== undefined ? x + (to - x) * 0.45 : x + dir * LANE * 0.45;
          out.push(`<line class="arrow ${e.kind === 'drop' ? 'drop' : 'lost'}" x1="${x}" y1="${yy}" x2="${end}" y2="${yy}"/>`);
          out.push(`<text class="${e.kind === 'drop' ? 'cross' : 'mark'}" x="${end}" y="${yy + 10}" text-anchor="middle">${e.kind === 'drop' ? '✕' : '?'}</text>`);
          const note = e.kind === 'drop' ? '' : to === undefined ? ` (to ${short(e.peer)}, hidden)` : deliveries.has(i) ? '' : ' (not delivered in this trace)';
          out.push(`<text class="what" x="${x + dir * 12}" y="${yy - 8}" text-anchor="${dir > 0 ? 'start' : 'end'}">${esc(clip(label, 36) + note)}</text>`);
        }
        for (const d of targets) {
          const y2 = y(rowOf.get(d));
          out.push(`<line class="arrow ${e.kind}" x1="${x}" y1="${yy}" x2="${to - dir * 12}" y2="${y2}"/>`);
        }
        if (targets.length) out.push(`<text class="what" x="${x + dir * 12}" y="${yy - 8}" text-anchor="${dir > 0 ? 'start' : 'end'}">${esc(clip(label, 38))}</text>`);
        out.push(`<circle class="dot ${e.kind}" data-i="${i}" data-kind="${e.kind}" cx="${x}" cy="${yy}" r="7"/>`);
      } else if (e.kind === 'deliver') {
        const from = source.get(i);
        const kind = from === undefined ? 'send' : events[from].kind;
        const fromX = laneX.get(e.peer);
        const dir = fromX === undefined ? -1 : Math.sign(x - fromX) || 1;
        const p = `${x},${yy} ${x - dir * 16},${yy - 8} ${x - dir * 16},${yy + 8}`;
        out.push(`<polygon class="head ${kind}" data-i="${i}" data-kind="deliver" points="${p}"/>`);
        if (from === undefined || !rowOf.has(from) || fromX === undefined) {
          out.push(`<line class="arrow send" x1="${x - dir * 60}" y1="${yy}" x2="${x - dir * 14}" y2="${yy}"/>`);
          out.push(`<text class="what" x="${x - dir * 66}" y="${yy + 6}" text-anchor="${dir > 0 ? 'end' : 'start'}">${esc(clip(`from ${short(e.peer)}: ${what(e)}`, 36))}</text>`);
        }
      } else {
        const detail = e.detail ?? {};
        const words = {
          nodeup: `▲ nodeup ${short(e.peer)}`,
          nodedown: `▼ nodedown ${short(e.peer)}${typeof detail === 'string' ? ` (${detail})` : ''}`,
          partition: `✂ partition from ${(detail.from ?? []).map(short).join(', ')}`,
          heal: `⟲ heal with ${(detail.with ?? []).map(short).join(', ')}`,
        }[e.kind];
        if (e.kind === 'partition' || e.kind === 'heal') out.push(`<rect class="band ${e.kind}" x="${LEFT}" y="${yy - ROW / 2}" width="${width - LEFT}" height="${ROW}"/>`);
        out.push(`<text class="mark ${e.kind}" data-i="${i}" data-kind="${e.kind}" x="${x}" y="${yy + 6}" text-anchor="middle">${esc(words)}</text>`);
      }
    }
    document.getElementById('diagram').innerHTML = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${out.join('')}</svg>`;
    document.getElementById('lanes').style.width = `${width}px`;
    document.getElementById('lanes').innerHTML = lanes.map((n) => `<span style="left:${laneX.get(n)}px">${esc(short(n))}</span>`).join('');
    const pager = document.getElementById('pager');
    pager.innerHTML = `<span>Showing events ${slice.length ? page * PAGE + 1 : 0}–${page * PAGE + slice.length} of the ${visible.length} that match (the trace has ${events.length})</span>
      ${pages > 1 ? `<button data-page="-1" ${page === 0 ? 'disabled' : ''}>earlier</button><button data-page="1" ${page === pages - 1 ? 'disabled' : ''}>later</button>` : ''}`;
    document.body.dataset.drawn = String(slice.length);
  }
  document.getElementById('pager').addEventListener('click', (ev) => {
    const b = ev.target.closest('button[data-page]');
    if (!b) return;
    page += Number(b.dataset.page);
    render();
  });

  filters();
  render();
})();

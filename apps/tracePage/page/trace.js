// Draws the trace inlined in this page as a sequence diagram: one lane per
// node, one row per event, an arrow from each send to its delivery. The nodes'
// own messages come first: the test harness's traffic (events marked `harness`
// when they were recorded) is hidden until the reader asks for it; the page
// opens on the event that matters most, under a paragraph that tells the story
// (story.js); a long trace is folded by phase (start, partition, heal) and runs
// of the same exchange into one row (rows.js). Plain DOM and SVG strings: the
// page is opened from disk, with no network and no build.
(() => {
  const { events, failure } = JSON.parse(document.getElementById('trace-data').textContent);
  const KINDS = ['send', 'deliver', 'drop', 'duplicate', 'delay', 'nodeup', 'nodedown', 'partition', 'heal'];
  const ROW = 34;
  const TOP = 14;
  const LEFT = 104; // the time column
  const MIN_LANE = 200;
  const PAGE = 2500;
  const GAP_US = 100_000;
  /** Above this many rows, the phases before the focus's start folded. */
  const LONG = 40;

  const { esc, short, plural, what } = traceWords;
  const model = traceModel(events);
  const { SENDS, nodes, at, isHarness, harnessCount, source, deliveries, phases, phaseOf, focus, focusWhy } = model;

  // ---- state the reader changes
  const shownNodes = new Set(nodes);
  const shownKinds = new Set(KINDS);
  let showHarness = false;
  let page = 0;
  /** Folds the reader opened (runs, rows before the focus), and the phases open or closed by hand. */
  const unfolded = new Set();
  const phaseOpen = new Map();
  /** The folds of the last drawing ("Unfold all" opens them). */
  let lastFolds = [];

  function controls() {
    document.getElementById('controls').innerHTML = `
      <label class="toggle"><input type="checkbox" id="harness-toggle"${harnessCount ? '' : ' disabled'}> Show the test harness's own messages (${harnessCount})</label>
      <button type="button" data-fold="open">Unfold all</button><button type="button" data-fold="close">Fold all</button>
      <span id="pager"></span>`;
    document.getElementById('harness-toggle').addEventListener('change', (ev) => {
      showHarness = ev.target.checked;
      page = 0;
      document.getElementById('harness-state').textContent = showHarness ? 'drawn in grey' : 'hidden';
      render();
    });
    document.getElementById('controls').addEventListener('click', (ev) => {
      const b = ev.target.closest('button');
      if (!b) return;
      if (b.dataset.fold) {
        for (const p of phases) phaseOpen.set(p.id, b.dataset.fold === 'open');
        if (b.dataset.fold === 'open') for (const key of lastFolds) unfolded.add(key);
        else unfolded.clear();
      } else if (b.dataset.page) page += Number(b.dataset.page);
      render();
    });
  }

  function filters() {
    const box = (group, value, label, cls = '') =>
      `<label class="${cls}"><input type="checkbox" data-group="${group}" value="${esc(value)}" checked> ${esc(label)}</label>`;
    const el = document.getElementById('filters');
    el.innerHTML = `
      <fieldset><legend>Nodes</legend>${nodes.map((n) => box('node', n, short(n))).join('')}</fieldset>
      <fieldset><legend>Kinds</legend>${KINDS.map((k) => box('kind', k, k, `k-${k}`)).join('')}</fieldset>`;
    el.addEventListener('change', (ev) => {
      const input = ev.target;
      const set = input.dataset.group === 'node' ? shownNodes : shownKinds;
      if (input.checked) set.add(input.value);
      else set.delete(input.value);
      page = 0;
      render();
    });
  }

  // ---- drawing
  function render() {
    const visible = [];
    events.forEach((e, i) => {
      if (shownNodes.has(e.node) && shownKinds.has(e.kind) && (showHarness || !isHarness(e))) visible.push(i);
    });
    const pages = Math.max(1, Math.ceil(visible.length / PAGE));
    page = Math.min(Math.max(page, 0), pages - 1);
    const slice = visible.slice(page * PAGE, (page + 1) * PAGE);
    const withEvents = new Set(slice.flatMap((i) => [events[i].node, ...(events[i].link ? [events[i].peer] : [])]));
    let lanes = nodes.filter((n) => shownNodes.has(n) && withEvents.has(n));
    if (lanes.length === 0) lanes = nodes.filter((n) => shownNodes.has(n));

    const wrap = document.getElementById('diagram-wrap');
    const available = Math.max(wrap.clientWidth, 320);
    const lane = Math.max(MIN_LANE, Math.floor((available - LEFT) / Math.max(1, lanes.length)));
    const width = LEFT + lane * Math.max(1, lanes.length);
    const laneX = new Map(lanes.map((n, i) => [n, LEFT + lane / 2 + i * lane]));

    const byPhase = phases.map(() => []);
    for (const i of slice) byPhase[phaseOf[i]].push(i);
    const allRows = byPhase.map((list, p) => traceRows(model, list, phases[p], unfolded));
    const long = allRows.reduce((n, rows) => n + rows.length, 0) > LONG;
    lastFolds = allRows.flat().filter((r) => r.fold).map((r) => r.fold);

    const sections = [];
    let drawnRows = 0;
    phases.forEach((phase, p) => {
      const rows = allRows[p];
      if (byPhase[p].length === 0) return;
      // A long trace opens on the phase of the focus: the phases before it start folded.
      const isOpen = phaseOpen.get(phase.id) ?? (!long || focus === undefined || phase.id >= phaseOf[focus]);
      const list = byPhase[p];
      const sent = list.filter((i) => SENDS.has(events[i].kind));
      const lost = sent.filter(model.neverArrived).length;
      const span = list.length ? `${at(list[0])} to ${at(list.at(-1))}` : '';
      const head = `<summary><b>${esc(phase.name)}</b> <span class="phase-facts">${span ? `${span} · ` : ''}${plural(list.length, 'event')} · ${plural(sent.length, 'message')}${
        sent.length ? (lost ? `, <span class="k-drop">${lost} never arrived</span>` : ', all arrived') : ''
      }</span></summary>`;
      const svg = isOpen ? drawPhase(rows, laneX, width, lane) : '';
      if (isOpen) drawnRows += rows.length;
      sections.push(`<details class="phase" data-phase="${phase.type}" data-id="${phase.id}"${isOpen ? ' open' : ''}>${head}${svg}</details>`);
    });
    const empty =
      slice.length === 0
        ? `<p class="empty">${
            events.length === 0
              ? 'This trace has no event: no message crossed between the nodes while it was recorded.'
              : visible.length === 0 && !showHarness && harnessCount
                ? `No message crossed between the nodes' code in this trace: its ${harnessCount} message events are the test harness's. Tick “Show the test harness's own messages” to see them.`
                : 'No event matches the filters.'
          }</p>`
        : '';
    const diagram = document.getElementById('diagram');
    diagram.innerHTML = empty + sections.join('');
    fitLabels(diagram);

    const lanesEl = document.getElementById('lanes');
    lanesEl.style.width = `${width}px`;
    lanesEl.innerHTML = `<span class="time-head" style="left:${LEFT / 2}px">time</span>` + lanes.map((n) => `<span class="lane-name" style="left:${laneX.get(n)}px">${esc(short(n))}</span>`).join('');
    fitLaneNames(lanesEl, lane);

    document.getElementById('pager').innerHTML = `${visible.length} of the trace's ${events.length} events shown${
      pages > 1
        ? ` (${page * PAGE + 1}–${page * PAGE + slice.length}) <button type="button" data-page="-1" ${page === 0 ? 'disabled' : ''}>earlier</button><button type="button" data-page="1" ${page === pages - 1 ? 'disabled' : ''}>later</button>`
        : ''
    }`;
    document.getElementById('summary').innerHTML = traceLinkTable(model, showHarness);
    document.body.dataset.drawn = String(drawnRows);
    document.body.dataset.drawnFor = String(window.innerWidth);
  }

  function drawPhase(rows, laneX, width, lane) {
    const height = TOP + rows.length * ROW + 12;
    const y = (r) => TOP + r * ROW + ROW / 2;
    const rowOf = new Map();
    rows.forEach((row, r) => {
      if (row.i !== undefined) rowOf.set(row.i, r);
    });
    const out = [];
    const labelAt = (text, x, yy, dir, limit, cls = 'what', extra = '') => {
      // A label that starts at x and may run, in direction dir, as far as limit (and no further than the diagram).
      const max = dir > 0 ? Math.min(limit, width - 4) - x : x - Math.max(limit, LEFT + 4);
      out.push(
        `<g class="label"><title>${esc(text)}</title><text class="${cls}" x="${x}" y="${yy}" text-anchor="${dir > 0 ? 'start' : 'end'}" data-max="${Math.max(0, Math.floor(max))}" data-full="${esc(text)}"${extra}>${esc(text)}</text></g>`,
      );
    };
    const edge = (x, dir) => {
      // The next lane in that direction (a label stops short of it), or the diagram's edge.
      const next = [...laneX.values()].filter((v) => (dir > 0 ? v > x + 1 : v < x - 1)).sort((a, b) => (dir > 0 ? a - b : b - a))[0];
      return next !== undefined ? next - dir * 14 : dir > 0 ? width - 4 : LEFT + 4;
    };
    for (const [n, x] of laneX) out.push(`<line class="lane" x1="${x}" y1="0" x2="${x}" y2="${height}" data-node="${esc(n)}"/>`);

    let previous;
    rows.forEach((row, r) => {
      const i = row.i ?? row.covers[0];
      const gap = previous === undefined ? 0 : events[i].us - events[previous].us;
      if (gap > GAP_US) out.push(`<line class="gapline" x1="0" x2="${width}" y1="${y(r) - ROW / 2}" y2="${y(r) - ROW / 2}"/>`);
      out.push(`<text class="${gap > GAP_US ? 'gap' : 'time'}" x="6" y="${y(r) + 5}">${gap > GAP_US ? `${(gap / 1e6).toFixed(2)} s later` : at(i)}</text>`);
      previous = row.i ?? row.covers.at(-1);
      if (row.i === focus && focusWhy) out.push(`<rect class="focus" data-focus="${focus}" x="${LEFT - 4}" y="${y(r) - ROW / 2}" width="${width - LEFT + 4}" height="${ROW}"/>`);
    });

    rows.forEach((row, r) => {
      const yy = y(r);
      if (row.fold) {
        out.push(
          `<g class="fold" data-fold="${esc(row.fold)}" data-covers="${row.covers.join(',')}"><rect class="fold-band" x="${LEFT}" y="${yy - ROW / 2 + 3}" width="${width - LEFT - 4}" height="${ROW - 6}" rx="6"/>`,
        );
        labelAt(row.words, LEFT + 14, yy + 6, 1, width - 4, 'fold-words');
        out.push('</g>');
        return;
      }
      const i = row.i;
      const e = events[i];
      const x = laneX.get(e.node);
      if (x === undefined) return;
      const h = isHarness(e) ? ' harness' : '';
      const dataH = isHarness(e) ? ' data-harness="true"' : '';
      if (SENDS.has(e.kind)) {
        const to = laneX.get(e.peer);
        const all = deliveries.get(i) ?? [];
        const targets = all.filter((d) => rowOf.has(d) && to !== undefined);
        const label = `${e.kind === 'send' ? '' : `${e.kind.toUpperCase()}${e.kind === 'delay' && e.detail?.ms !== undefined ? ` ${e.detail.ms} ms` : ''}: `}${what(e)}`;
        const dir = to === undefined ? 1 : Math.sign(to - x) || 1;
        if (e.kind === 'drop' || targets.length === 0) {
          const end = to !== undefined ? x + (to - x) * 0.45 : x + dir * lane * 0.45;
          out.push(`<line class="arrow ${e.kind === 'drop' ? 'drop' : 'lost'}${h}" x1="${x}" y1="${yy}" x2="${end}" y2="${yy}"/>`);
          out.push(`<text class="${e.kind === 'drop' ? 'cross' : 'mark'}" x="${end}" y="${yy + 10}" text-anchor="middle">${e.kind === 'drop' ? '✕' : '?'}</text>`);
          const elsewhere = all.length && !targets.length ? ` (arrives at ${at(all[0])})` : '';
          const note =
            e.kind === 'drop' ? '' : to === undefined ? ` (to ${short(e.peer)}, hidden)` : all.length === 0 ? (h ? '' : ' (never arrived in this trace)') : elsewhere;
          labelAt(label + note, x + dir * 12, yy - 8, dir, to !== undefined ? to - dir * 14 : edge(x, dir), `what${h}`);
        }
        for (const d of targets) {
          const y2 = y(rowOf.get(d));
          out.push(`<line class="arrow ${e.kind}${h}" x1="${x}" y1="${yy}" x2="${to - dir * 12}" y2="${y2}"/>`);
        }
        if (targets.length) labelAt(label, x + dir * 12, yy - 8, dir, to - dir * 14, `what${h}`);
        out.push(`<circle class="dot ${e.kind}${h}" data-i="${i}" data-kind="${e.kind}"${dataH} cx="${x}" cy="${yy}" r="7"/>`);
      } else if (e.kind === 'deliver') {
        const from = source.get(i);
        const kind = from === undefined ? 'send' : events[from].kind;
        const fromX = laneX.get(e.peer);
        const dir = fromX === undefined ? -1 : Math.sign(x - fromX) || 1;
        const p = `${x},${yy} ${x - dir * 16},${yy - 8} ${x - dir * 16},${yy + 8}`;
        out.push(`<polygon class="head ${kind}${h}" data-i="${i}" data-kind="deliver"${dataH} points="${p}"/>`);
        if (from === undefined || !rowOf.has(from) || fromX === undefined) {
          out.push(`<line class="arrow send${h}" x1="${x - dir * 60}" y1="${yy}" x2="${x - dir * 14}" y2="${yy}"/>`);
          const sent = from === undefined ? '' : ` (sent at ${at(from)})`;
          labelAt(`from ${short(e.peer)}: ${what(e)}${sent}`, x - dir * 66, yy + 6, -dir, edge(x - dir * 66, -dir), `what${h}`);
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
        out.push(`<circle class="pin ${e.kind}" cx="${x}" cy="${yy}" r="5"/>`);
        // Beside its lane, on the side with room.
        const dir = x + lane / 2 > width - 4 ? -1 : 1;
        labelAt(words, x + dir * 10, yy + 6, dir, dir > 0 ? width - 4 : LEFT + 4, `mark ${e.kind}`, ` data-i="${i}" data-kind="${e.kind}"`);
      }
    });
    return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${out.join('')}</svg>`;
  }

  /** Shortens every label that would run past its room (the next lane, or the diagram's edge); its whole text stays in its tooltip. */
  function fitLabels(root) {
    for (const t of root.querySelectorAll('text[data-max]')) {
      const max = Number(t.dataset.max);
      const full = t.dataset.full;
      if (t.getComputedTextLength() <= max) continue;
      let lo = 0;
      let hi = full.length;
      while (lo < hi) {
        const mid = Math.ceil((lo + hi) / 2);
        t.textContent = `${full.slice(0, mid)}…`;
        if (t.getComputedTextLength() <= max) lo = mid;
        else hi = mid - 1;
      }
      t.textContent = lo > 0 ? `${full.slice(0, lo)}…` : '';
      t.classList.add('shortened');
    }
  }

  /** A lane's name is as wide as its lane at most. */
  function fitLaneNames(el, lane) {
    for (const span of el.querySelectorAll('.lane-name')) {
      span.style.maxWidth = `${lane - 12}px`;
      span.title = span.textContent;
    }
  }

  document.getElementById('diagram').addEventListener('click', (ev) => {
    const g = ev.target.closest('g.fold');
    if (!g) return;
    unfolded.add(g.dataset.fold);
    render();
  });
  document.getElementById('diagram').addEventListener(
    'toggle',
    (ev) => {
      const d = ev.target;
      if (!d.matches?.('details.phase')) return;
      const id = Number(d.dataset.id);
      if ((phaseOpen.get(id) ?? null) === d.open) return;
      const wasDrawn = d.querySelector('svg') !== null;
      phaseOpen.set(id, d.open);
      if (d.open !== wasDrawn) render();
    },
    true,
  );
  let resizing;
  window.addEventListener('resize', () => {
    clearTimeout(resizing);
    resizing = setTimeout(render, 100);
  });

  if (failure) document.getElementById('failure').innerHTML = `<b>The test failed:</b> ${esc(failure)}`;
  else document.getElementById('failure').remove();
  controls();
  filters();
  render();
  document.getElementById('story').innerHTML = traceStory(model, showHarness);
})();

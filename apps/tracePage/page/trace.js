// Draws the trace inlined in this page as a sequence diagram: one lane per
// node, one row per event, an arrow from each send to its delivery. The nodes'
// own messages come first: the test harness's traffic (events marked `harness`
// when they were recorded) is hidden until the reader asks for it; the page
// opens on the event that matters most, under a paragraph that tells the story;
// a long trace is folded by phase (start, partition, heal) and runs of the same
// exchange (a test polling a count) are folded into one row. Plain DOM and SVG
// strings: the page is opened from disk, with no network and no build.
(() => {
  const { events, failure } = JSON.parse(document.getElementById('trace-data').textContent);
  const KINDS = ['send', 'deliver', 'drop', 'duplicate', 'delay', 'nodeup', 'nodedown', 'partition', 'heal'];
  const SENDS = new Set(['send', 'duplicate', 'delay', 'drop']);
  const ROW = 34;
  const TOP = 14;
  const LEFT = 104; // the time column
  const MIN_LANE = 200;
  const PAGE = 2500;
  const GAP_US = 100_000;
  /** Above this many rows, the phases without the focus start folded. */
  const LONG = 40;
  /** More rows than this before the focus, in its phase, are folded away. */
  const BEFORE_FOCUS = 3;
  /** A run of the same exchange is folded from this many times on. */
  const REPEATS = 3;

  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
  const short = (node) => String(node ?? '?').split('@')[0];
  const natural = (a, b) => a.localeCompare(b, 'en', { numeric: true });
  const nodes = [...new Set(events.flatMap((e) => [e.node, ...(SENDS.has(e.kind) || e.kind === 'deliver' ? [e.peer] : [])]).filter(Boolean))].sort(natural);
  const t0 = events.length ? events[0].us : 0;
  const at = (i) => `+${((events[i].us - t0) / 1000).toFixed(1)} ms`;
  const duration = (us) => (us >= 1e6 ? `${(us / 1e6).toFixed(2)} s` : `${(us / 1000).toFixed(1)} ms`);
  const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
  /** The message in a few words (the node recorded them: the same words as the live view). */
  const what = (e) => e.what ?? '';
  const isHarness = (e) => e.harness === true;
  const harnessCount = events.filter(isHarness).length;

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
  /**
   * A message of the nodes that left and never arrived: dropped, or sent with no delivery by the end of
   * the trace. Not the harness's: the reply to the call that took the previous trace is sent in this
   * one and delivered in that one.
   */
  const neverArrived = (i) => !isHarness(events[i]) && (events[i].kind === 'drop' || (SENDS.has(events[i].kind) && !deliveries.has(i)));

  // ---- phases: the cluster whole (start), cut (partition), whole again (heal), ...
  const phaseOf = [];
  const phases = [];
  {
    let current;
    const begin = (type, i) => {
      const n = phases.filter((p) => p.type === type).length + 1;
      const name = { start: 'Start', partition: 'Partition', heal: 'Heal' }[type] + (n > 1 ? ` ${n}` : '');
      current = { id: phases.length, type, name, first: i };
      phases.push(current);
    };
    begin('start', 0);
    events.forEach((e, i) => {
      if (e.kind === 'partition' && current.type !== 'partition') begin('partition', i);
      else if (e.kind === 'heal' && current.type === 'partition') begin('heal', i);
      phaseOf.push(current.id);
    });
    // A trace that begins with its partition has no start.
    if (phases.length > 1 && phaseOf.every((p) => p !== 0)) phases[0].empty = true;
  }

  // ---- the event that matters most: the first of the nodes' messages that never arrived,
  // else the first partition or node lost, else the nodes' first message.
  const own = events.map((e, i) => i).filter((i) => !isHarness(events[i]));
  const focus =
    own.find((i) => neverArrived(i)) ??
    own.find((i) => events[i].kind === 'partition' || events[i].kind === 'nodedown') ??
    own.find((i) => events[i].link !== undefined) ??
    own[0];
  /** Why the focus matters, or '' when it is merely the first message (nothing stands out: nothing to mark). */
  const focusWhy =
    focus === undefined
      ? ''
      : neverArrived(focus)
        ? 'the first message that never arrived'
        : events[focus].kind === 'partition'
          ? 'the partition'
          : events[focus].kind === 'nodedown'
            ? 'the first node lost'
            : '';

  // ---- the story, in one paragraph
  function story() {
    const messages = own.filter((i) => SENDS.has(events[i].kind));
    const parts = [];
    if (messages.length === 0) {
      parts.push(
        `While this test ran, the nodes' code sent <b>no message to another node</b> (a message to a process on the same node is not traced: only what crosses between nodes is).`,
      );
    } else {
      // Who sent what to whom: per sender, its receivers and the shapes of its messages, most frequent first.
      const senders = new Map();
      for (const i of messages) {
        const e = events[i];
        const s = senders.get(e.node) ?? { n: 0, to: new Set(), shapes: new Map() };
        s.n++;
        s.to.add(short(e.peer));
        s.shapes.set(shape(what(e)), (s.shapes.get(shape(what(e))) ?? 0) + 1);
        senders.set(e.node, s);
      }
      const ranked = [...senders.entries()].sort((a, b) => b[1].n - a[1].n || natural(a[0], b[0]));
      const described = ranked.slice(0, 4).map(([node, s]) => {
        const shapes = [...s.shapes.entries()].sort((a, b) => b[1] - a[1]);
        const list = shapes.slice(0, 2).map(([w, n]) => `<code>${esc(w)}</code>${n > 1 ? ` ×${n}` : ''}`);
        if (shapes.length > 2) list.push(`${shapes.length - 2} more`);
        return `<b>${esc(short(node))}</b> sent ${s.n} to ${[...s.to].sort(natural).map(esc).join(' and ')} (${list.join(', ')})`;
      });
      if (ranked.length > 4) described.push(`${plural(ranked.length - 4, 'other node')} ${messages.length - ranked.slice(0, 4).reduce((a, [, s]) => a + s.n, 0)}`);
      parts.push(`While this test ran, the nodes' code sent ${plural(messages.length, 'message')} between nodes: ${described.join('; ')}.`);
      const lost = messages.filter(neverArrived);
      if (lost.length === 0) parts.push('Every one of them arrived.');
      else {
        const first = lost.slice(0, 3).map((i) => {
          const e = events[i];
          return `<code>${esc(what(e))}</code> from ${esc(short(e.node))} to ${esc(short(e.peer))} at ${at(i)} (${e.kind === 'drop' ? 'dropped' : 'not delivered by the end of the trace'})`;
        });
        parts.push(`<b class="k-drop">${plural(lost.length, 'never arrived', 'never arrived')}</b>: ${first.join('; ')}${lost.length > 3 ? '; …' : ''}.`);
      }
      const twice = messages.filter((i) => events[i].kind === 'duplicate').length;
      const late = messages.filter((i) => events[i].kind === 'delay').length;
      if (twice || late) parts.push(`${[twice ? `${plural(twice, 'message')} arrived twice` : '', late ? `${plural(late, 'message')} arrived late (delayed)` : ''].filter(Boolean).join(', ')}.`);
    }
    const cuts = phases.filter((p) => p.type !== 'start');
    if (cuts.length) {
      parts.push(
        `The cluster was ${cuts
          .map((p) => (p.type === 'partition' ? `cut at ${at(p.first)} (${partitionWords(p)})` : `healed at ${at(p.first)}`))
          .join(', then ')}.`,
      );
    }
    const downs = own.filter((i) => events[i].kind === 'nodedown' && phases[phaseOf[i]].type !== 'partition');
    const firstDown = new Map();
    for (const i of downs) if (!firstDown.has(events[i].peer)) firstDown.set(events[i].peer, i);
    const lostNodes = [...firstDown.values()].map((i) => `${esc(short(events[i].peer))} (seen by ${esc(short(events[i].node))} at ${at(i)})`);
    if (lostNodes.length) parts.push(`Outside a partition, nodes went down: ${lostNodes.join(', ')}.`);
    if (harnessCount) {
      parts.push(
        `The test harness exchanged ${plural(harnessCount, 'more message event', 'more message events')} with the nodes (its rpc calls and their replies): <span id="harness-state">${showHarness ? 'drawn in grey' : 'hidden'}</span>.`,
      );
    }
    if (focusWhy) parts.push(`The diagram opens on ${focusWhy}, at ${at(focus)}, <mark>marked in yellow</mark>.`);
    return parts.join(' ');
  }
  /** A message's words without the details that change from one to the next: `consumer: cast {ping: …}`. */
  const shape = (words) => {
    const m = /^(.*?[{[])\s*("?[\w$@.-]+"?\s*:)?(.*)$/.exec(words);
    if (!m || m[3].length <= 10) return words;
    return `${m[1]}${m[2] ? `${m[2]} ` : ''}…${m[1].endsWith('[') ? ']' : '}'}`;
  };
  function partitionWords(phase) {
    const cut = events.filter((e, i) => phaseOf[i] === phase.id && e.kind === 'partition');
    return cut.length ? cut.map((e) => `${short(e.node)} from ${(e.detail?.from ?? []).map(short).join(', ')}`).join('; ') : 'no detail';
  }

  // ---- the per-link table and its totals, below the diagram
  const tally = (n, words, kind) => (n > 0 ? `<span class="k-${kind}">${n} ${words}</span>` : `${n} ${words}`);
  function linkTable() {
    const links = new Map();
    const row = (link) => {
      if (!links.has(link)) links.set(link, { sent: 0, delivered: 0, dropped: 0, duplicated: 0, delayed: 0 });
      return links.get(link);
    };
    const counted = events.filter((e) => showHarness || !isHarness(e));
    for (const e of counted) {
      if (!e.link) continue;
      const r = row(e.link);
      if (SENDS.has(e.kind)) r.sent++;
      if (e.kind === 'deliver') r.delivered++;
      if (e.kind === 'drop') r.dropped++;
      if (e.kind === 'duplicate') r.duplicated++;
      if (e.kind === 'delay') r.delayed++;
    }
    const total = (k) => [...links.values()].reduce((s, r) => s + r[k], 0);
    const count = (kind) => counted.filter((e) => e.kind === kind).length;
    const lines = [...links.entries()].sort(([a], [b]) => natural(a, b));
    return `<h2>Messages on each link${showHarness || !harnessCount ? '' : ' (the harness\'s not counted)'}</h2>
      <p id="totals">${counted.length} events on ${plural(new Set(counted.map((e) => e.node)).size, 'node')} over ${duration((events.at(-1)?.us ?? t0) - t0)}:
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

  // ---- state the reader changes
  const shownNodes = new Set(nodes);
  const shownKinds = new Set(KINDS);
  let showHarness = false;
  let page = 0;
  /** Folds the reader opened (runs, rows before the focus), and the phases open or closed by hand. */
  const unfolded = new Set();
  const phaseOpen = new Map();

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

  // ---- rows: what each phase draws, after folding runs and what comes before the focus
  const signature = (i) => {
    const e = events[i];
    return `${e.node}|${e.kind}|${e.peer}|${e.what ?? ''}|${JSON.stringify(e.detail ?? null)}`;
  };
  let lastFolds = [];

  /** The rows of one phase: events, and folds standing for events not drawn. */
  function rowsOf(list, phase) {
    const rows = [];
    let j = 0;
    const earlierKey = `earlier:${phase.id}`;
    const f = list.indexOf(focus);
    if (focusWhy && f > BEFORE_FOCUS && !unfolded.has(earlierKey)) {
      rows.push({ fold: earlierKey, covers: list.slice(0, f), words: `↑ ${plural(f, 'earlier event')} of this phase, before the one that matters (click to show)` });
      j = f;
    }
    while (j < list.length) {
      let best;
      for (let k = 1; k <= 8 && j + 2 * k <= list.length; k++) {
        let r = 1;
        while (j + (r + 1) * k <= list.length && sameBlock(list, j, j + r * k, k)) r++;
        if (r >= REPEATS && (!best || r * k > best.r * best.k)) best = { k, r };
      }
      const key = best && `run:${list[j]}`;
      if (best && unfolded.has(key)) {
        // Unfolded by the reader: all of it, and no fold found again inside it.
        for (let x = j; x < j + best.r * best.k; x++) rows.push({ i: list[x] });
        j += best.r * best.k;
      } else if (best) {
        for (let x = j; x < j + best.k; x++) rows.push({ i: list[x] });
        const covers = list.slice(j + best.k, j + best.r * best.k);
        rows.push({
          fold: key,
          covers,
          words: `↻ the same ${best.k === 1 ? 'event' : `${best.k} events`} ${plural(best.r - 1, 'more time')}, until ${at(covers.at(-1))} (click to show)`,
        });
        j += best.r * best.k;
      } else {
        rows.push({ i: list[j] });
        j++;
      }
    }
    return rows;
  }
  const sameBlock = (list, a, b, k) => {
    for (let x = 0; x < k; x++) if (signature(list[a + x]) !== signature(list[b + x])) return false;
    return true;
  };

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
    const allRows = byPhase.map((list, p) => rowsOf(list, phases[p]));
    const long = allRows.reduce((n, rows) => n + rows.length, 0) > LONG;
    lastFolds = allRows.flat().filter((r) => r.fold).map((r) => r.fold);

    const sections = [];
    let drawnRows = 0;
    phases.forEach((phase, p) => {
      const rows = allRows[p];
      if (rows.length === 0 && (phase.empty || byPhase[p].length === 0)) return;
      // A long trace opens on the phase of the focus: the phases before it start folded.
      const isOpen = phaseOpen.get(phase.id) ?? (!long || focus === undefined || phase.id >= phaseOf[focus]);
      const list = byPhase[p];
      const sent = list.filter((i) => SENDS.has(events[i].kind));
      const lost = sent.filter(neverArrived).length;
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
    document.getElementById('summary').innerHTML = linkTable();
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
  document.getElementById('story').innerHTML = story();
})();

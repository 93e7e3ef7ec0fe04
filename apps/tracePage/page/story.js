// The trace told in words: one paragraph above the diagram (who sent what to
// whom, what never arrived, the cuts and heals, the nodes lost, the harness's
// share) and the table of the messages on each link below it.

/** The paragraph, as HTML; `showHarness` says whether the harness's messages are drawn. */
function traceStory(model, showHarness) {
  const { esc, short, natural, plural, what, shape } = traceWords;
  const { events, SENDS, own, at, neverArrived, phases, phaseOf, harnessCount, focus, focusWhy } = model;
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
    if (ranked.length > 4) {
      const rest = ranked.slice(4).reduce((n, [, s]) => n + s.n, 0);
      described.push(`${plural(ranked.length - 4, 'other node')} sent ${rest}`);
    }
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
  const cut = (phase) =>
    events
      .filter((e, i) => phaseOf[i] === phase.id && e.kind === 'partition')
      .map((e) => `${esc(short(e.node))} from ${(e.detail?.from ?? []).map((n) => esc(short(n))).join(', ')}`)
      .join('; ');
  const cuts = phases.filter((p) => p.type !== 'start');
  if (cuts.length) {
    parts.push(`The cluster was ${cuts.map((p) => (p.type === 'partition' ? `cut at ${at(p.first)} (${cut(p)})` : `healed at ${at(p.first)}`)).join(', then ')}.`);
  }
  const firstDown = new Map();
  for (const i of own) {
    if (events[i].kind === 'nodedown' && phases[phaseOf[i]].type !== 'partition' && !firstDown.has(events[i].peer)) firstDown.set(events[i].peer, i);
  }
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

/** The messages on each link (the harness's only when shown), as HTML. */
function traceLinkTable(model, showHarness) {
  const { esc, short, natural, plural, duration } = traceWords;
  const { events, SENDS, t0, isHarness, harnessCount } = model;
  const tally = (n, words, kind) => (n > 0 ? `<span class="k-${kind}">${n} ${words}</span>` : `${n} ${words}`);
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
  return `<h2>Messages on each link${showHarness || !harnessCount ? '' : " (the harness's not counted)"}</h2>
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

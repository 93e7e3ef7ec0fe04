// The room's page: asks the server for the room's state every two seconds and
// draws it. Plain DOM, text only (names and headlines come from the network:
// they are set as text, never as HTML).
const token = new URLSearchParams(location.search).get('token') ?? '';
const POLL_MS = 2_000;
/** On a problem this long: the time shows in red. */
const LONG_MS = 15 * 60_000;

const $ = (id) => document.getElementById(id);
const el = (tag, props = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else node.setAttribute(k, v);
  }
  node.append(...children);
  return node;
};

/** `exercise3-map-reduce` -> `3`, and its words: `map reduce`. */
const stageNo = (stage) => /^exercise(\d+)/.exec(stage)?.[1] ?? stage;
const stageWords = (stage) => stage.replace(/^exercise\d+-/, '').replace(/-/g, ' ');

function duration(ms) {
  const min = Math.floor(ms / 60_000);
  if (min < 1) return '< 1 min';
  if (min < 60) return `${min} min`;
  return `${Math.floor(min / 60)} h ${String(min % 60).padStart(2, '0')}`;
}

function drawProblems(problems) {
  const list = $('problem-list');
  const items = [];
  // Stages nobody has reached yet take one line at the end.
  const reached = new Set(problems.filter((p) => p.green + p.red > 0).map((p) => p.stage));
  const later = [...new Set(problems.map((p) => p.stage))].filter((s) => !reached.has(s));
  let stage;
  for (const p of problems.filter((p) => reached.has(p.stage))) {
    if (p.stage !== stage) {
      stage = p.stage;
      items.push(el('li', { class: 'stage-title', text: `Stage ${stageNo(stage)}: ${stageWords(stage)}` }));
    }
    const ran = p.green + p.red;
    const bar = el('span', { class: 'bar', title: `${p.green} green, ${p.red} red` }, el('span', { class: 'g' }), el('span', { class: 'r' }));
    bar.children[0].style.width = ran ? `${(100 * p.green) / ran}%` : '0';
    bar.children[1].style.width = ran ? `${(100 * p.red) / ran}%` : '0';
    const heading = (p.heading ?? p.problem).replace(/^[^:]*:\s*/, '');
    const name = el('span', { class: 'name', title: p.heading ?? p.problem }, el('b', { text: p.problem }), ` ${heading && heading !== p.heading ? `· ${heading}` : ''}`);
    const counts = el(
      'span',
      { class: 'counts' },
      ...(ran ? [el('span', { class: 'g', text: `${p.green} ✓` }), ' ', el('span', { class: 'r', text: `${p.red} ✗` })] : [el('span', { text: 'nobody yet' })]),
      p.on ? ` · ${p.on} on it` : '',
    );
    const item = el('li', { class: 'problem', 'data-stage': p.stage, 'data-problem': p.problem }, el('div', { class: 'row' }, name, bar, counts));
    if (p.top && p.red > 0) item.append(el('p', { class: 'top', title: p.top.headline }, el('b', { text: `${p.top.count} of ${p.red}:` }), ` ${p.top.headline}`));
    items.push(item);
  }
  if (later.length) items.push(el('li', { class: 'later', text: `Not reached yet: ${later.map((s) => `stage ${stageNo(s)} (${stageWords(s)})`).join(', ')}` }));
  list.replaceChildren(...items);
  fitProblems();
}

/**
 * Sizes the problems' type to the screen (17 px at 1280 wide, more on larger ones), then
 * shrinks it (down to 13 px) and their headlines to one line until every problem fits.
 */
function fitProblems() {
  const list = $('problem-list');
  list.classList.remove('tight');
  let px = Math.round(Math.min(26, Math.max(17, innerWidth / 75)));
  list.style.fontSize = `${px}px`;
  const over = () => list.scrollHeight > list.clientHeight + 1;
  while (over() && px > 13) list.style.fontSize = `${(px -= 0.5)}px`;
  if (over()) list.classList.add('tight');
}

function drawAttendees(problems, attendees) {
  const heads = $('stage-heads');
  heads.querySelector('th.cells')?.remove();
  const cellsHead = el('th', { class: 'cells', scope: 'col' });
  problems.forEach((p, i) => {
    if (i > 0 && problems[i - 1].stage !== p.stage) cellsHead.append(el('i'));
    cellsHead.append(el('span', { title: `${p.stage} ${p.problem}`, text: i === 0 || problems[i - 1].stage !== p.stage ? stageNo(p.stage) : '' }));
  });
  heads.append(cellsHead);
  // A projector cannot scroll: the rows shrink to fit, down to 12 px type; past that, the last ones
  // (the away ones come last) give way to a line that counts them.
  const { px, fits } = tableSize(attendees.length);
  const shown = fits >= attendees.length ? attendees : attendees.slice(0, Math.max(0, fits - 1));
  const rows = shown.map((a) => {
    const where = a.problem ? `${stageNo(a.stage)} · ${a.problem}` : a.stage ? `${stageNo(a.stage)} · all green` : '';
    const cells = el('td', { class: 'cells' });
    a.cells.forEach((c, i) => {
      if (i > 0 && problems[i - 1].stage !== problems[i].stage) cells.append(el('i'));
      cells.append(el('span', { class: c, title: `${problems[i].stage} ${problems[i].problem}: ${c === 'none' ? 'not run' : c}` }));
    });
    return el(
      'tr',
      { class: a.away ? 'away' : '', 'data-name': a.name },
      el('td', { class: 'who', text: a.name, title: a.name }),
      el('td', { class: a.problem ? 'on' : 'on done', text: where, title: a.problem ? `${a.stage}, ${a.problem}` : `${a.stage}: everything it ran is green` }),
      el('td', { class: `for${a.problem && a.forMs >= LONG_MS && !a.away ? ' long' : ''}`, text: a.away ? 'away' : duration(a.forMs) }),
      cells,
    );
  });
  const hidden = attendees.length - shown.length;
  if (hidden > 0) rows.push(el('tr', { class: 'more' }, el('td', { colspan: '4', text: `and ${hidden} more, not shown: the screen is full` })));
  const table = $('attendees');
  table.style.fontSize = `${px}px`;
  table.tBodies[0].replaceChildren(...rows);
  $('nobody').hidden = attendees.length > 0;
  table.hidden = attendees.length === 0;
}

/** The type size at which `count` rows and the header fit the attendees' column (12 to 19 px), and how many rows fit at it. */
function tableSize(count) {
  const room = $('people').clientHeight - $('people-title').offsetHeight - 8;
  const rowPx = Math.max(12 * 1.55, Math.min(30, room / (count + 1)));
  return { px: Number((rowPx / 1.55).toFixed(1)), fits: Math.floor(room / rowPx) - 1 };
}

function draw(state) {
  drawProblems(state.problems);
  drawAttendees(state.problems, state.attendees);
}

async function poll() {
  try {
    const res = await fetch(`/state?token=${encodeURIComponent(token)}`, { cache: 'no-store' });
    if (!res.ok) throw new Error(String(res.status));
    const state = await res.json();
    document.body.dataset.connected = 'true';
    document.body.dataset.ever = 'true';
    const active = state.attendees.filter((a) => !a.away).length;
    $('summary').textContent = `${state.attendees.length} attendee${state.attendees.length === 1 ? '' : 's'}${active !== state.attendees.length ? `, ${active} active` : ''} · updated ${new Date().toLocaleTimeString()}`;
    last = state;
    draw(state);
  } catch {
    document.body.dataset.connected = 'false';
  } finally {
    setTimeout(poll, POLL_MS);
  }
}

let last;
addEventListener('resize', () => {
  if (last) draw(last);
});
poll();

// The live view's list of messages: the latest ones whole, wrapped rather than cut
// or shrunk, as many as fit entirely; a fresh drop stays at the top for a while.

/** A dropped message stays marked this long (its ✕, its label, the top of the list): long enough to point at. */
export const DROP_MS = 4000;
const LIST_MAX = 8;

const short = (node) => node.split('@')[0];

/** What a label or the list says about a message's fate, before its words. */
export function fate(m) {
  if (m.kind === 'drop') return m.why === 'partition' ? 'DROPPED by the partition' : 'DROPPED';
  if (m.kind === 'duplicate') return 'DUPLICATED';
  if (m.kind === 'delay') return `DELAYED${m.ms !== undefined ? ` ${m.ms} ms` : ''}`;
  return '';
}

/** Shows `recent` (newest first) in `list`; fresh drops first. */
export function drawList(list, recent, now) {
  const drops = recent.filter((m) => m.kind === 'drop' && now - m.at < DROP_MS);
  const rest = recent.filter((m) => !drops.includes(m));
  list.replaceChildren(
    ...[...drops, ...rest].slice(0, LIST_MAX).map((m) => {
      const li = document.createElement('li');
      li.className = `k-${m.kind}`;
      const route = document.createElement('span');
      route.className = 'route';
      if (fate(m)) {
        const kind = document.createElement('span');
        kind.className = `kind k-${m.kind}`;
        kind.textContent = fate(m);
        route.append(kind);
      }
      route.append(`${short(m.from)} → ${short(m.to)}`);
      const payload = document.createElement('span');
      payload.className = 'payload';
      payload.textContent = m.what;
      li.append(route, payload);
      return li;
    }),
  );
  fitList(list);
}

/** Keeps as many messages as fit whole (a message cut in half is worse than one fewer), also after the page around the list changed. */
export function fitList(list) {
  while (list.lastElementChild && list.scrollHeight > list.clientHeight + 1) list.lastElementChild.remove();
}


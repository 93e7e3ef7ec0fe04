// What one phase of the diagram draws, row by row: its events, with two kinds
// of fold standing for events not drawn, each opened by a click: the events of
// the focus's phase before the focus (when there are more than a few), and a
// run of the same exchange (a test asking for a count until it is right).

/** More events than this before the focus, in its phase, are folded away. */
const BEFORE_FOCUS = 3;
/** A run of the same exchange is folded from this many times on. */
const REPEATS = 3;
/** The longest exchange looked for in a run, in events. */
const LONGEST_EXCHANGE = 8;

/**
 * The rows of one phase: `{ i }` for event i, `{ fold, covers, words }` for a fold (its key, the
 * events it stands for, what it says). `list` holds the phase's shown events in order;
 * `unfolded` the keys of the folds the reader opened.
 */
function traceRows(model, list, phase, unfolded) {
  const { plural } = traceWords;
  const { events, at, focus, focusWhy } = model;
  const signature = (i) => {
    const e = events[i];
    return `${e.node}|${e.kind}|${e.peer}|${e.what ?? ''}|${JSON.stringify(e.detail ?? null)}`;
  };
  const sameBlock = (a, b, k) => {
    for (let x = 0; x < k; x++) if (signature(list[a + x]) !== signature(list[b + x])) return false;
    return true;
  };
  const rows = [];
  let j = 0;
  const earlierKey = `earlier:${phase.id}`;
  const f = list.indexOf(focus);
  if (focusWhy && f > BEFORE_FOCUS && !unfolded.has(earlierKey)) {
    rows.push({ fold: earlierKey, covers: list.slice(0, f), words: `↑ ${plural(f, 'earlier event')} of this phase, before the one that matters (click to show)` });
    j = f;
  }
  while (j < list.length) {
    // The exchange of k events repeated the most times from here (r times in a row), if any.
    let best;
    for (let k = 1; k <= LONGEST_EXCHANGE && j + 2 * k <= list.length; k++) {
      let r = 1;
      while (j + (r + 1) * k <= list.length && sameBlock(j, j + r * k, k)) r++;
      if (r >= REPEATS && (!best || r * k > best.r * best.k)) best = { k, r };
    }
    const key = best && `run:${list[j]}`;
    if (best && unfolded.has(key)) {
      // Opened by the reader: all of it, and no fold found again inside it.
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

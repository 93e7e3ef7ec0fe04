// What the trace page knows of a trace before it draws anything: its nodes,
// each delivery joined to its send, the messages that never arrived, the phases
// (the cluster whole, cut, whole again) and the event that matters most.
function traceModel(events) {
  const { natural } = traceWords;
  const SENDS = new Set(['send', 'duplicate', 'delay', 'drop']);
  const nodes = [...new Set(events.flatMap((e) => [e.node, ...(SENDS.has(e.kind) || e.kind === 'deliver' ? [e.peer] : [])]).filter(Boolean))].sort(natural);
  const t0 = events.length ? events[0].us : 0;
  /** When event i happened, from the trace's start. */
  const at = (i) => `+${((events[i].us - t0) / 1000).toFixed(1)} ms`;
  const isHarness = (e) => e.harness === true;

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

  // Phases: the cluster whole (start), cut (partition), whole again (heal), ...
  const phaseOf = [];
  const phases = [];
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

  // The event that matters most: the first of the nodes' messages that never arrived,
  // else the first partition or node lost, else the nodes' first message.
  const own = events.map((_, i) => i).filter((i) => !isHarness(events[i]));
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

  return {
    events, SENDS, nodes, t0, at, isHarness, harnessCount: events.filter(isHarness).length,
    source, deliveries, neverArrived, phases, phaseOf, own, focus, focusWhy,
  };
}

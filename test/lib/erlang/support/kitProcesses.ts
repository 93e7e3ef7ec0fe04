// Helpers for the tests where the test process is itself a kit node in Erlang mode
// (Node.start(..., { dist: 'erlang' })) beside real erl nodes: hand an erl node a kit
// term (its probe's echo keeps it, `kit_probe:recall(Key)` gives it back), and wait
// until what an erl node sent before now has reached this node.
import { Tuple, atom, isAtom, receive, send, self, tuple, type NodeName } from '../../../../lib/index.ts';

/** Hands `term` to the erl node, which keeps it under `key` (kit_probe:recall(key) in its expressions). */
export async function remember(erl: NodeName, key: string, term: unknown): Promise<void> {
  send({ name: 'echo', node: erl }, tuple(atom('remember'), self(), atom(key), term));
  await receive((m) => m instanceof Tuple && isAtom(m.elements[0], 'remembered') && isAtom(m.elements[1], key), 10_000);
}

/**
 * A round trip to the erl node's echo: everything the erl node sent to this one before it
 * answered (a monitor, a link set up by an expression that has returned) has arrived, since a
 * connection carries signals in order.
 */
export async function settled(erl: NodeName): Promise<void> {
  const token = `settled-${Math.random()}`;
  send({ name: 'echo', node: erl }, tuple(atom('echo'), self(), token));
  await receive((m) => m instanceof Tuple && isAtom(m.elements[0], 'echoed') && m.elements[1] === token, 10_000);
}

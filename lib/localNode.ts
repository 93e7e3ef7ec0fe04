// Who this OS process is in the cluster: its node name and incarnation, and the
// counters that mint its pids and refs. One node per OS process, as in Erlang.
import { randomInt } from 'node:crypto';
import { NO_NODE, Pid, Ref, type NodeName } from './terms.ts';
import { setLogNode } from './logger.ts';

let name: NodeName = NO_NODE;
/** The names this boot has had: a node stopped and started again under another name keeps its processes. */
const formerNames = new Set<NodeName>();
// A fresh creation per boot: pids of a previous run of the same name reach nobody.
const creation = randomInt(1, 2 ** 31 - 1);
let nextPid = 1;
let nextRef = 1;

export const localNode = {
  get name(): NodeName {
    return name;
  },
  get creation(): number {
    return creation;
  },
  /** Called when distribution starts or stops (distribution/current.ts, the one place that says whether the node is alive). */
  setName(next: NodeName): void {
    if (name !== NO_NODE) formerNames.add(name);
    name = next;
    setLogNode(next);
  },
  newPid(): Pid {
    return new Pid(name, nextPid++, creation);
  },
  makeRef(): Ref {
    return new Ref(name, nextRef++, creation);
  },
  /**
   * Whether a pid or ref belongs here: minted by this boot, under the current name, before the
   * node had one, or under a name it had before (another boot of that name has another creation).
   */
  owns(term: { node: NodeName; creation: number }): boolean {
    return term.creation === creation && (term.node === name || term.node === NO_NODE || formerNames.has(term.node));
  },
};

/** Erlang's `make_ref()`. */
export function makeRef(): Ref {
  return localNode.makeRef();
}

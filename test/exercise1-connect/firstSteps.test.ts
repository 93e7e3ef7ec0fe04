// Stage 1, warm-up: the deck's first steps, graded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostname } from 'node:os';
import { Node, rpc } from '../../lib/index.ts';
import { LocalCluster, spawnNode, type SpawnedNode } from '../../lib/cluster/index.ts';
import { callListener, connectAll, connectWithCookie, isUp, startListener } from '#stage/exercise1-connect/firstSteps.ts';
import { label, stageModule } from '../support/stage.ts';
import { inProcess } from '../support/inProcess.ts';

const FIRST_STEPS = stageModule('exercise1-connect/firstSteps.ts');
const started: SpawnedNode[] = [];

/** A node of its own, not connected to anyone yet (as in a second terminal). */
async function terminal(sname: string, cookie = Node.getCookie()): Promise<string> {
  const node = await spawnNode({ sname, cookie });
  started.push(node);
  return node.name;
}

beforeAll(() => LocalCluster.start());
afterAll(() => Promise.all(started.map((n) => n.kill())));

describe('stage 1 warm-up: first steps', () => {
  it('warm-up: connectAll connects to every node and returns the nodes it is connected to, sorted', async () => {
    const [a, b] = await Promise.all([terminal('ben'), terminal('dave')]);
    expect(Node.list(), 'before connectAll this node should be connected to nobody').toEqual([]);
    const mesh = await connectAll([b, a]);
    expect(mesh, `connectAll([${label(b)}, ${label(a)}]) returned [${mesh.map(label).join(', ')}]; it should connect to both and return them, sorted`).toEqual([a, b].sort());
    expect(Node.list().sort(), 'after connectAll this node should be connected to both').toEqual([a, b].sort());
  });

  it('warm-up: isUp is true for a live node and false for a name nobody holds', async () => {
    const chris = await terminal('chris');
    expect(await isUp(chris), `isUp(${label(chris)}) should be true: that node is running`).toBe(true);
    expect(await isUp(`nobody@${hostname().split('.')[0]}`), 'isUp(nobody@host) should be false: no node has that name').toBe(false);
  });

  it('warm-up: a listener registered on one node answers a message sent to {name, node} from another', () =>
    inProcess(async () => {
      const other = await terminal('listener');
      await Node.connect(other);
      await rpc.call(other, FIRST_STEPS, 'startListener', ['chris']);
      const there = await callListener('chris', other, 'hello').catch((e: Error) => e);
      expect(there, `callListener('chris', ${label(other)}, 'hello') should get the answer of the listener started there`).toEqual({ heard: 'hello', on: other });
      startListener('ben');
      const back = await rpc.call(other, FIRST_STEPS, 'callListener', ['ben', Node.self(), 'hi']).catch((e: Error) => e);
      expect(back, `a listener registered here as 'ben' should answer ${label(other)}`).toEqual({ heard: 'hi', on: Node.self() });
    }));

  it('warm-up: a node with another cookie is refused, then accepted after setCookie', async () => {
    const mine = Node.getCookie();
    const lonestar = await terminal('lonestar', 'lonestar');
    try {
      const outcome = await connectWithCookie(lonestar, 'lonestar');
      expect(outcome, 'connecting with our own cookie must fail (before: false); with the cookie set to lonestar it must succeed (after: true)').toEqual({ before: false, after: true });
      expect(Node.getCookie()).toBe('lonestar');
    } finally {
      Node.setCookie(mine);
    }
  });
});

// One OS process may stop its node and start it again, under the same name at
// once (the port mapper forgets the old registration before the stop returns)
// or under another (its processes, minted under the old name, stay its own).
import { afterAll, describe, expect, it } from 'vitest';
import { GenServer, Node, rpc } from '../../lib/index.ts';
import { COOKIE, fixture, startChild, uniqueName } from '../support/nodes.ts';

afterAll(() => Node.stop());

describe('a node started again in the same process', () => {
  it('takes the same name at once, then another, and still serves calls and rpc both ways', async () => {
    const first = uniqueName('again');
    const other = await startChild('peer');
    for (const name of [first, first, uniqueName('renamed')]) {
      await Node.start({ sname: name }, { cookie: COOKIE });
      expect(Node.self().startsWith(`${name}@`)).toBe(true);
      // A GenServer's start waits for its init's answer to this process, minted under an older name.
      const pid = await GenServer.start({ init: () => 0, handleCall: (_r: unknown, _f: unknown, n: number) => ({ reply: n + 1, state: n + 1 }) }, undefined);
      expect(await GenServer.call(pid, 'next')).toBe(1);
      expect(await rpc.call(other.name, fixture('app.ts'), 'add', [2, 3])).toBe(5);
      await Node.stop();
    }
  });
});

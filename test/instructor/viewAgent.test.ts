// What the live view learns from each node (apps/view/nodeAgent.ts): the
// messages the node sent, each whole enough for the page's list, and a message
// addressed across a partition as dropped by the partition (the harness dropped
// it), so the page can draw it dropped rather than as a message that arrived.
import { afterAll, describe, expect, it } from 'vitest';
import { Node, rpc } from '../../lib/index.ts';
import { LocalCluster, Schism } from '../../lib/cluster/index.ts';
import { VIEW_AGENT, type Look, type SentMessage } from '../../apps/view/nodeAgent.ts';
import { fixture } from '../support/nodes.ts';
import { waitFor } from '../support/wait.ts';

const app = fixture('app.ts');
/** Longer than the few words a trace keeps of a message (44 characters). */
const LONG_NAME = 'a_consumer_with_a_name_long_enough_to_be_cut_by_a_trace';

afterAll(() => LocalCluster.stopNodes());

describe('the live view agent on each node', () => {
  it('reports a message sent across a partition as dropped by the partition, and messages whole', async () => {
    await LocalCluster.start();
    const [a, b] = (await LocalCluster.startNodes('agent', 2)) as [string, string];
    const look = () => rpc.call<Look>(a, VIEW_AGENT, 'look', [Node.self()]);
    await look(); // the first look starts the node's trace
    const sent: SentMessage[] = [];

    await rpc.call(a, app, 'sendNumbers', [{ name: LONG_NAME, node: b }, 1]);
    await waitFor(async () => {
      sent.push(...(await look()).sent);
      expect(sent.filter((m) => m.to === b)).toHaveLength(2);
    });
    expect(sent.find((m) => m.to === b)).toEqual({ to: b, kind: 'send', what: `${LONG_NAME}: {n: 0}` });

    await Schism.partition([a]);
    sent.length = 0;
    await rpc.call(a, app, 'sendNumbers', [{ name: 'consumer', node: b }, 2]);
    await waitFor(async () => {
      sent.push(...(await look()).sent);
      expect(sent.filter((m) => m.to === b)).toHaveLength(3);
    });
    expect(sent.filter((m) => m.to === b)).toEqual([
      { to: b, kind: 'drop', why: 'partition', what: 'consumer: {n: 0}' },
      { to: b, kind: 'drop', why: 'partition', what: 'consumer: {n: 1}' },
      { to: b, kind: 'drop', why: 'partition', what: 'consumer: {done: true}' },
    ]);
    await Schism.heal([a]);
  });
});

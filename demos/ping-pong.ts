// Ping-pong through a netsplit: three nodes each run a producer and a
// consumer (stage 2's solution: consumers keep the highest ping per producer,
// producers tell newcomers their count on nodeup). A partition splits them,
// pings on both sides go unseen by the other, and the heal brings every
// consumer to the same total.
import { GenServer, rpc, type NodeName } from '../lib/index.ts';
import { Schism } from '../lib/cluster/schism.ts';
import type { Demo } from '../apps/demoRunner/index.ts';

const PING_PONG = '#stage/exercise2-monitoring/pingPong.ts';

const demo: Demo = {
  title: 'producers and consumers through a partition and a heal',
  summary: 'Three nodes broadcast numbered pings; a partition hides some; on heal, producers tell the newcomers their counts and every total agrees.',
  async run(show) {
    const ping = (node: NodeName) => GenServer.call<number>({ name: 'producer', node }, 'ping');
    const counts = (node: NodeName) => GenServer.call<Record<NodeName, number>>({ name: 'consumer', node }, 'counts');
    const total = (seen: Record<NodeName, number>) => Object.values(seen).reduce((a, b) => a + b, 0);
    const everyone = async (nodes: NodeName[]) => Promise.all(nodes.map(async (n) => ({ node: n, seen: await counts(n) })));
    const print = (rows: Array<{ node: NodeName; seen: Record<NodeName, number> }>) => {
      for (const { node, seen } of rows) {
        const per = Object.entries(seen).sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }));
        show.say(`consumer on ${show.label(node)} counts ${total(seen)}   (${per.map(([p, i]) => `${show.label(p)}: ${i}`).join(', ') || 'nothing yet'})`);
      }
    };
    const totalsReach = async (nodes: NodeName[], expected: number[], what: string) => {
      const rows = await show.until(() => everyone(nodes), (r) => r.every((row, i) => total(row.seen) === expected[i]), what);
      print(rows);
      return rows;
    };

    await show.step(
      'three nodes, each a producer and a consumer',
      'Every node boots stage 2\'s ping-pong: a producer that numbers its pings and broadcasts them,',
      'and a consumer that keeps the highest number it saw from each producer. Its count is the sum.',
    );
    const nodes = await show.cluster.startNodes('ping-pong', 3, { boot: PING_PONG });
    const [n1, n2, n3] = nodes as [NodeName, NodeName, NodeName];
    show.say(`started ${nodes.map((n) => show.label(n)).join(', ')}: a full mesh`);
    await totalsReach(nodes, [0, 0, 0], 'every consumer to count 0');

    await show.step('each producer pings once', 'Three pings, each broadcast to all three consumers: every consumer should count 3.');
    for (const node of nodes) show.result('demo', `GenServer.call({ name: 'producer', node: '${show.label(node)}' }, 'ping')`, await ping(node));
    await totalsReach(nodes, [3, 3, 3], 'every consumer to count 3');

    await show.step(
      'a partition: ping-pong1 is cut off',
      'Schism.partition([ping-pong1]): no connection crosses the cut. The demo\'s own node still reaches everyone.',
    );
    await Schism.partition([n1]);
    show.result('demo', 'await Schism.partition([ping-pong1])', undefined);

    await show.step(
      'pings on both sides of the cut',
      'ping-pong1 pings twice, ping-pong2 once. Each side hears only its own pings.',
      'Ask the room: what does each consumer count now, and what should they count after the heal?',
    );
    for (const node of [n1, n1, n2]) show.result('demo', `GenServer.call({ name: 'producer', node: '${show.label(node)}' }, 'ping')`, await ping(node));
    await totalsReach(nodes, [5, 4, 4], 'the consumers to count 5, 4 and 4 during the partition');
    show.say('A broadcast goes to the connected nodes only: no producer even tried to cross the cut.');
    // A send addressed across the cut: the harness drops it, and the live view draws it dropped.
    const count = await GenServer.call<number>({ name: 'producer', node: n1 }, 'count');
    await rpc.call(n1, PING_PONG, 'greet', [n2, count]);
    show.result('ping-pong1', `greet('${show.label(n2)}', ${count})    # GenServer.cast({ name: 'consumer', node: '${show.label(n2)}' }, …)`, undefined);
    show.check((await everyone([n2])).every((r) => total(r.seen) === 4), 'ping-pong2 to still count 4');
    show.say(
      'A message sent straight across the cut is dropped (the live view crosses it out in red), with no error:',
      'it is not delayed, it is gone. Nothing will send it again.',
    );

    await show.step(
      'heal: the producers tell the newcomers their counts',
      'Schism.heal([ping-pong1]). On nodeup each producer casts its current count to the newcomer\'s consumer,',
      'which keeps the highest per producer, so hearing it twice does no harm. Every count should reach 6.',
    );
    await Schism.heal([n1]);
    show.result('demo', 'await Schism.heal([ping-pong1])', undefined);
    await totalsReach(nodes, [6, 6, 6], 'every consumer to count 6 after the heal');
    show.check((await everyone([n3])).every((r) => total(r.seen) === 6), 'ping-pong3 to agree too');
    show.say('Every consumer agrees: 3 from ping-pong1, 2 from ping-pong2, 1 from ping-pong3.');
  },
};

export default demo;

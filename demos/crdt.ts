// Counters that converge (stage 5's solution): three shortener nodes count the
// redirects of a link in a G-Counter each, merged on every redirect. A partition
// lets the counts diverge; on heal, each node sends its counters to the
// newcomers (on nodeup) and every node shows the same count, as in the
// original workshop: 1; partition; 2, 2, 1; 4, 4, 2; heal; 5, 5, 5.
import { rpc, type NodeName } from '../lib/index.ts';
import { Schism } from '../lib/cluster/schism.ts';
import type { Demo } from '../apps/demoRunner/index.ts';

const STAGE = '#stage/exercise5-crdt';

const demo: Demo = {
  title: 'CRDT counters: redirect counts diverge in a partition and converge on heal',
  summary: 'Three shortener nodes count redirects in G-Counters; a partition splits the counts, the heal merges them: 5, 5, 5.',
  async run(show) {
    const ports = new Map<NodeName, number>();
    const redirect = async (node: NodeName, code: string) => {
      const res = await fetch(`http://127.0.0.1:${ports.get(node)}/${code}`, { redirect: 'manual' });
      await res.body?.cancel();
      show.result('curl', `curl localhost:${ports.get(node)}/${code}    # ${show.label(node)}`, res.status);
    };
    const counts = async (nodes: NodeName[], code: string) =>
      Promise.all(nodes.map(async (n) => Number(/Redirects: (\d+)/.exec(await (await fetch(`http://127.0.0.1:${ports.get(n)}/${code}/aggregates`)).text())?.[1])));
    const reach = async (nodes: NodeName[], code: string, expected: number[], what: string) => {
      const seen = await show.until(() => counts(nodes, code), (c) => c.every((n, i) => n === expected[i]), what);
      show.result('demo', `GET /${code}/aggregates on ${nodes.map((n) => show.label(n)).join(', ')}`, seen.map((n) => `Redirects: ${n}`).join('   '));
    };

    await show.step(
      'three shortener nodes that count redirects',
      'Each node keeps, for every link, a G-Counter: one slot per node, each node adds to its own slot only.',
      'On each redirect a node bumps its slot and sends its counter to the others, who merge it (the highest of each slot).',
    );
    const nodes = await show.cluster.startNodes('crdt', 3, { boot: `${STAGE}/shortener.ts`, storage: true, env: { DISTSYS_SHORTENER_PORT: '0' } });
    const [n1, n2, n3] = nodes as [NodeName, NodeName, NodeName];
    for (const node of nodes) ports.set(node, await rpc.call<number>(node, `${STAGE}/shortener.ts`, 'httpPort'));
    const created = await fetch(`http://127.0.0.1:${ports.get(n1)}/`, { method: 'POST', body: new URLSearchParams({ url: 'https://elixir-lang.org' }) });
    const code = (await created.text()).trim();
    show.result('curl', `curl -d url=https://elixir-lang.org localhost:${ports.get(n1)}`, `${created.status} ${code}`);

    await show.step('one redirect', 'One redirect on crdt1: every node should count 1.');
    await redirect(n1, code);
    await reach(nodes, code, [1, 1, 1], 'every node to count 1');

    await show.step('a partition: crdt3 is cut off', 'Schism.partition([crdt3]). Redirects still work on both sides (the store is outside the mesh).');
    await Schism.partition([n3]);
    await redirect(n1, code);
    await reach(nodes, code, [2, 2, 1], 'the counts 2, 2, 1');
    show.say('crdt3 did not hear of crdt1\'s second redirect: its merge could not cross the cut.');

    await show.step('redirects on both sides', 'One more on each of crdt2, crdt1 and crdt3. Ask the room: what does each node show now?');
    for (const node of [n2, n1, n3]) await redirect(node, code);
    await reach(nodes, code, [4, 4, 2], 'the counts 4, 4, 2');

    await show.step(
      'heal: nodeup, and each node sends its counters to the newcomer',
      'Schism.heal([crdt3]). Merging keeps the highest count of each slot, so a counter heard twice or late changes nothing.',
    );
    await Schism.heal([n3]);
    await reach(nodes, code, [5, 5, 5], 'every node to count 5');
    show.say('Five redirects in all, counted once each, everywhere: the counts converged without any node being in charge.');
  },
};

export default demo;

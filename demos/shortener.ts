// The link shortener on a ring (stage 4's solution): three nodes share the
// canonical membership in the store and each builds the same consistent-hash
// ring from it. A link is created on its owner only; a lookup elsewhere runs on
// the owner; when the owner is killed, a lookup falls back to the store; when
// it comes back, it serves the link again.
import { rpc, type NodeName } from '../lib/index.ts';
import { LocalCluster } from '../lib/cluster/localCluster.ts';
import type { Demo } from '../apps/demoRunner/index.ts';

const STAGE = '#stage/exercise4-link-shortener';
const URL_TO_SHORTEN = 'https://elixir-lang.org';
/** The url as the shortener stores it (normalised: https://elixir-lang.org/). */
const STORED = new URL(URL_TO_SHORTEN).href;

const demo: Demo = {
  title: 'the link shortener on a ring: routing, a node down, the store as fallback',
  summary: 'Three shortener nodes; a link lives on its owner only; lookups run on the owner, and fall back to the store when the owner is down.',
  async run(show) {
    const ports = new Map<NodeName, number>();
    const portOf = async (node: NodeName) => {
      ports.set(node, await rpc.call<number>(node, `${STAGE}/shortener.ts`, 'httpPort'));
      return ports.get(node) as number;
    };
    const caches = async (nodes: NodeName[], code: string) =>
      Object.fromEntries(await Promise.all(nodes.map(async (n) => [show.label(n), (await rpc.call<string | null>(n, `${STAGE}/cache.ts`, 'cached', [code])) ?? '(nothing)'] as const)));
    const get = async (node: NodeName, code: string) => {
      const res = await fetch(`http://127.0.0.1:${ports.get(node)}/${code}`, { redirect: 'manual' });
      await res.body?.cancel();
      show.result('curl', `curl -i localhost:${ports.get(node)}/${code}    # ${show.label(node)}`, `${res.status} Location: ${res.headers.get('location') ?? '(none)'}`);
      return res;
    };

    await show.step(
      'three shortener nodes, one ring',
      'Every node boots stage 4\'s shortener and serves its HTTP API. The membership lives in the store;',
      'each node builds its consistent-hash ring from it, so all of them agree on who owns a code.',
    );
    const nodes = await show.cluster.startNodes('shortener', 3, {
      boot: `${STAGE}/shortener.ts`,
      storage: true,
      env: { DISTSYS_SHORTENER_PORT: '0', DISTSYS_SHORTENER_REPLICATION: 'ring' },
    });
    await rpc.call(nodes[0] as string, `${STAGE}/cluster.ts`, 'setCanonicalNodes', [nodes]);
    for (const node of nodes) {
      await rpc.call(node, `${STAGE}/cluster.ts`, 'updateRing');
      show.say(`${show.label(node)} serves http://127.0.0.1:${await portOf(node)}/`);
    }

    await show.step('shorten a url on shortener1', `curl -d url=${URL_TO_SHORTEN} on the first node: the create is routed to the code's owner.`);
    const [n1] = nodes as [NodeName];
    const created = await fetch(`http://127.0.0.1:${ports.get(n1)}/`, { method: 'POST', body: new URLSearchParams({ url: URL_TO_SHORTEN }) });
    const code = (await created.text()).trim();
    show.result('curl', `curl -d url=${URL_TO_SHORTEN} localhost:${ports.get(n1)}`, `${created.status} ${code}`);
    show.check(created.status === 201, 'the create to answer 201 with the code');
    const owner = await rpc.call<NodeName>(n1, `${STAGE}/cluster.ts`, 'findNode', [code]);
    show.say(`findNode('${code}') is ${show.label(owner)} on every node: only its cache holds the link.`);
    const held = await caches(nodes, code);
    show.result('demo', 'what each cache holds', held);
    show.check(Object.entries(held).every(([n, url]) => (n === show.label(owner)) === (url === STORED)), 'only the owner to cache the link');

    const other = nodes.find((n) => n !== owner) as NodeName;
    await show.step(
      `follow the link on ${show.label(other)}`,
      `${show.label(other)} does not hold it: it asks the owner, ${show.label(owner)}, to look it up (a call to another node),`,
      'which fills the owner\'s cache, not its own.',
    );
    const found = await get(other, code);
    show.check(found.status === 302 && found.headers.get('location') === STORED, 'a 302 to the url');

    await show.step(
      `kill -9 the owner, ${show.label(owner)}`,
      'Ask the room: what happens to a lookup on another node now? The owner cannot answer...',
    );
    await LocalCluster.kill(owner);
    show.result('demo', `LocalCluster.kill('${show.label(owner)}')`, undefined);
    const fallback = await get(other, code);
    show.check(fallback.status === 302 && fallback.headers.get('location') === STORED, 'the lookup to fall back to the store');
    show.say(`The owner is down (nodedown), so ${show.label(other)} read the store itself: the link still works.`);

    await show.step(`${show.label(owner)} comes back`, 'It starts with an empty cache; the ring is rebuilt from the stored membership, and it serves the link from the store.');
    await LocalCluster.restart(owner);
    await rpc.call(owner, `${STAGE}/cluster.ts`, 'updateRing');
    await portOf(owner);
    const back = await get(owner, code);
    show.check(back.status === 302 && back.headers.get('location') === STORED, 'the owner to serve the link again');
  },
};

export default demo;

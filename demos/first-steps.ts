// First steps, as the deck shows them in terminals: lone nodes, ping (pong and
// pang), connect, a third node that meets everyone (connections are
// transitive), a message to a registered process, and a cookie that keeps a
// node out. The calls are the stage 1 warm-up's solutions.
import { LIBRARY, type Demo } from '../apps/demoRunner/index.ts';

const FIRST_STEPS = '#stage/exercise1-connect/firstSteps.ts';

const demo: Demo = {
  title: 'connect, ping (pong and pang), a transitive mesh, cookies',
  summary: 'Lone nodes meet: pong and pang, a third node that sees everyone, a message by name, a cookie that keeps a node out.',
  async run(show) {
    const at = (sname: string) => `${sname}@${show.host}`;
    const sorted = (nodes: string[]) => [...nodes].sort();

    await show.step(
      'two nodes, two terminals',
      'chris and ben start as two OS processes, like `npx distsys shell --sname chris` in two terminals.',
      'Both run on this laptop. Ask the room: who is each one connected to?',
    );
    const [chris, ben] = await Promise.all([show.cluster.terminal('chris'), show.cluster.terminal('ben')]);
    const alone = [await show.on<string[]>(chris, 'Node.list()', LIBRARY, 'Node.list'), await show.on<string[]>(ben, 'Node.list()', LIBRARY, 'Node.list')];
    show.say('Nobody: nodes connect lazily, when one connects or sends to another.');
    show.check(alone.every((list) => list.length === 0), 'chris and ben to start connected to nobody');

    await show.step('ping: pong and pang', `chris pings ben, then a name nobody holds.`);
    const pong = await show.on(chris, `await Node.ping('${at('ben')}')`, LIBRARY, 'Node.ping', [at('ben')]);
    const pang = await show.on(chris, `await Node.ping('${at('nobody')}')`, LIBRARY, 'Node.ping', [at('nobody')]);
    show.check(pong === 'pong' && pang === 'pang', "ping to answer 'pong' for ben and 'pang' for nobody");
    const up = await show.on(chris, `isUp('${at('ben')}')   (stage 1 warm-up)`, FIRST_STEPS, 'isUp', [at('ben')]);
    show.check(up === true, 'isUp(ben) to be true');
    const bensView = await show.until(() => ben.value<string[]>(LIBRARY, 'Node.list'), (l) => l.includes(at('chris')), 'ben to see chris');
    show.result('ben', 'Node.list()', bensView);
    show.say('The ping connected them: a successful ping is a connection.');

    await show.step(
      'a third node: connections are transitive',
      'dave starts and connects to chris only. Ask the room: whom will dave see?',
    );
    const dave = await show.cluster.terminal('dave');
    await show.on(dave, `connectAll(['${at('chris')}'])   (stage 1 warm-up)`, FIRST_STEPS, 'connectAll', [[at('chris')]]);
    const mesh = await show.until(() => dave.value<string[]>(LIBRARY, 'Node.list'), (l) => l.includes(at('ben')), 'dave to meet ben through chris');
    show.result('dave', 'Node.list()', sorted(mesh));
    show.say('chris told dave about ben, and dave connected to ben too: connected nodes form a full mesh.');
    show.check(sorted(mesh).join() === [at('ben'), at('chris')].join(), 'dave to see ben and chris');

    await show.step('a message to a registered process', 'chris starts a listener registered as greeter; dave sends to { name, node } and waits for the answer.');
    await show.on(chris, "startListener('greeter')   (stage 1 warm-up)", FIRST_STEPS, 'startListener', ['greeter']);
    const heard = await show.on<{ heard: string; on: string }>(dave, `callListener('greeter', '${at('chris')}', 'hello')`, FIRST_STEPS, 'callListener', ['greeter', at('chris'), 'hello']);
    show.check(heard.heard === 'hello' && heard.on === at('chris'), 'the greeter on chris to answer dave');

    await show.step(
      'cookies: another cookie keeps a node out',
      'lonestar starts with the cookie lonestar (`--cookie lonestar`). ben tries to connect with the default cookie, then sets lonestar and tries again.',
    );
    const lonestar = await show.cluster.terminal('lonestar', { cookie: 'lonestar' });
    const outcome = await show.on<{ before: boolean; after: boolean }>(ben, `connectWithCookie('${at('lonestar')}', 'lonestar')`, FIRST_STEPS, 'connectWithCookie', [at('lonestar'), 'lonestar']);
    show.check(!outcome.before && outcome.after, 'the first connect to fail and the second to succeed');
    const lonely = await show.until(() => lonestar.value<string[]>(LIBRARY, 'Node.list'), (l) => l.includes(at('ben')), 'lonestar to see ben');
    show.result('lonestar', 'Node.list()', lonely);
    show.say(
      'Only ben: ben told lonestar about chris and dave, but their cookie is not lonestar, so they refuse it.',
      'The cookie is checked once, when a connection is made: ben stays connected to chris and dave.',
    );
    show.check(lonely.join() === at('ben'), 'lonestar to be connected to ben only');

    await show.step('a node leaves', 'dave stops (Ctrl+D in its terminal): its peers see nodedown.');
    await dave.stop();
    const after = await show.until(() => chris.value<string[]>(LIBRARY, 'Node.list'), (l) => !l.includes(at('dave')), 'chris to notice dave left');
    show.result('chris', 'Node.list()', sorted(after));
    show.check(sorted(after).join() === at('ben'), 'chris to be left with ben');
  },
};

export default demo;

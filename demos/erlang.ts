// Kit nodes and a real Erlang node in one cluster (issue 25): chris and dave start
// with --dist erlang and speak Erlang's distribution; ben is `erl -sname ben`. They
// connect both ways, the stage 1 listener answers Erlang and an Erlang listener
// answers TypeScript (the same protocol: a map with from and text), a kit process
// monitors an Erlang process, and ben is killed with -9: the kit nodes see nodedown
// and DOWN noconnection. Where Erlang/OTP is not installed, it says so and stops.
import { LIBRARY, erlangMissing, type Demo } from '../apps/demoRunner/index.ts';

const FIRST_STEPS = '#stage/exercise1-connect/firstSteps.ts';
const WATCH = new URL('./_erlangWatch.ts', import.meta.url).href;

const demo: Demo = {
  title: 'a real Erlang node joins kit nodes: messages both ways, monitors, nodedown',
  summary: 'chris and dave speak Erlang (--dist erlang), ben is erl: ping both ways, the stage 1 listener answers Erlang, a monitor across, kill -9 of ben.',
  async run(show) {
    const at = (sname: string) => `${sname}@${show.host}`;
    const missing = erlangMissing();
    if (missing) {
      show.say(`This demo needs a real Erlang node, and ${missing}.`, 'Skipped: nothing was started.');
      return;
    }

    await show.step(
      "kit nodes that speak Erlang's distribution, and a real Erlang node",
      'chris and dave start like `npx distsys shell --sname chris --dist erlang`: they register with EPMD, Erlang\'s port mapper (port 4369),',
      'and speak Erlang\'s protocol, with each other too. ben is a real Erlang node: `erl -sname ben`, with the same cookie.',
    );
    const [chris, dave] = await Promise.all([show.cluster.terminal('chris', { dist: 'erlang' }), show.cluster.terminal('dave', { dist: 'erlang' })]);
    const ben = await show.cluster.erlang('ben');
    const erl = async (expression: string): Promise<string> => {
      const value = await ben.eval(expression);
      show.result('ben', expression, { printed: value });
      return value;
    };
    show.say(`ben is ${ben.name}, an Erlang/OTP node.`);

    await show.step('connect, both ways', 'ben pings dave (net_adm:ping, as between two erl nodes); chris connects to ben (Node.connect, as between two kit nodes).');
    show.check((await erl(`net_adm:ping('${at('dave')}')`)) === 'pong', 'net_adm:ping from ben to dave to be pong');
    show.check((await show.on(chris, `await Node.connect('${ben.name}')`, LIBRARY, 'Node.connect', [ben.name])) === true, 'chris to connect to ben');
    const mesh = await show.until(() => chris.value<string[]>(LIBRARY, 'Node.list'), (l) => l.includes(at('dave')), 'chris to meet dave through ben');
    show.result('chris', 'Node.list()', [...mesh].sort());
    show.say('chris asked ben which nodes it is connected to, and met dave too: connections are transitive.');
    const hidden = await erl('{nodes(), nodes(hidden)}');
    show.say(
      'To Erlang, kit nodes are hidden nodes (nodes(hidden), not nodes()), as Erlang\'s own C and Java nodes are:',
      "a visible node must take part in Erlang's global name registry, which the kit does not speak.",
    );
    show.check(hidden.startsWith('{[],') && hidden.includes(at('chris')), "ben to list chris among its hidden nodes");

    await show.step(
      'messages both ways: the stage 1 listener answers Erlang',
      "chris starts the stage 1 listener, registered as greeter. ben sends it what it serves, a map with from and text: Erlang's map with atom keys is the kit's plain object.",
    );
    await show.on(chris, "startListener('greeter')   (stage 1 warm-up)", FIRST_STEPS, 'startListener', ['greeter']);
    const answer = await erl(`{greeter, '${at('chris')}'} ! #{from => self(), text => <<"hello from Erlang">>}, receive Answer -> Answer after 5000 -> no_answer end`);
    show.check(answer.includes('hello from Erlang') && answer.includes(at('chris')), 'the listener on chris to answer ben');
    show.say('And the other way: ben runs an Erlang listener that serves the same protocol; dave calls it with the stage 1 callListener.');
    await erl('register(greeter, spawn(fun Listen() -> receive #{from := From, text := Text} -> From ! #{heard => Text, on => atom_to_binary(node())}, Listen() end end))');
    const heard = await show.on<{ heard: string; on: string }>(dave, `callListener('greeter', '${ben.name}', 'hello from TypeScript')`, FIRST_STEPS, 'callListener', ['greeter', ben.name, 'hello from TypeScript']);
    show.check(heard.heard === 'hello from TypeScript' && heard.on === ben.name, 'the Erlang listener to answer dave');

    await show.step('monitors across the boundary', "dave monitors ben's greeter (Process.monitor({ name, node })); chris subscribes to nodeup/nodedown (NetKernel.monitorNodes).");
    await show.on(dave, `Process.monitor({ name: 'greeter', node: '${ben.name}' })`, WATCH, 'watch', ['greeter', ben.name]);
    await show.on(chris, 'NetKernel.monitorNodes(true)', WATCH, 'watchNodes');

    await show.step('kill -9 the Erlang node', 'ben dies without a word, as a crashed machine would. Ask the room: what do chris and dave see, and when?');
    await ben.kill();
    const events = await show.until(() => chris.value<string[]>(WATCH, 'seenNodeEvents'), (e) => e.includes(`nodedown ${ben.name}`), 'chris to see nodedown');
    show.result('chris', "its subscriber's messages", events);
    const downs = await show.until(() => dave.value<string[]>(WATCH, 'seenDowns'), (d) => d.length > 0, "dave's monitor to fire");
    show.result('dave', "its watcher's messages", downs);
    show.check(downs[0] === `DOWN greeter on ${ben.name}: noconnection`, "dave's DOWN to say noconnection");
    show.say('At once: the connection closed with the process. A node that is alive but silent would be down within the tick time.');
    const left = await show.until(() => chris.value<string[]>(LIBRARY, 'Node.list'), (l) => !l.includes(ben.name), 'chris to drop ben');
    show.result('chris', 'Node.list()', left);
    show.check(left.join() === at('dave'), 'chris to be left with dave');
  },
};

export default demo;

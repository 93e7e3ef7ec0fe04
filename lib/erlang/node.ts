// What a kit node in Erlang mode runs besides the kernel's transport: the one
// process Erlang expects on every node it talks to, a `net_kernel` registered
// under that name. `net_adm:ping(Node)` (Elixir's `Node.ping/1`) gen:calls
// `{net_kernel, Node}` with `{is_auth, FromNode}` and is pong only on the reply
// `yes`; a node without one is pang, connected or not. The rest of Erlang's
// net_kernel is local to each node. (Every node, in either mode, also runs the
// kit's rex: rpc.ts.)
import { GenServer, type GenServerModule } from '../genServer.ts';
import { exit, whereis } from '../process/index.ts';
import { atom, isAtom, isTuple, tuple } from './terms.ts';

export { erlangEpmdPort } from './epmdProtocol.ts';

const NET_KERNEL = 'net_kernel';

const NetKernelServer: GenServerModule<null> = {
  name: NET_KERNEL,
  init: () => null,
  handleCall(request: unknown, _from, state) {
    if (isTuple(request, 2) && isAtom(request.elements[0], 'is_auth')) return { reply: atom('yes'), state };
    // Erlang's net_kernel takes its other calls from its own node only.
    return { reply: tuple(atom('error'), atom('not_supported')), state };
  },
};

/** Starts this node's net_kernel (Node.start does, in Erlang mode). */
export async function startNetKernel(): Promise<void> {
  if (!whereis(NET_KERNEL)) await GenServer.start(NetKernelServer, undefined, { name: NET_KERNEL });
}

export function stopNetKernel(): void {
  const pid = whereis(NET_KERNEL);
  if (pid) exit(pid, 'kill');
}

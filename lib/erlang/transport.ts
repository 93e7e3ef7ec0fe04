// Erlang's distribution as the net kernel's transport (distribution/transport.ts),
// for a node started with `dist: 'erlang'`: it registers with the host's EPMD
// (starting the kit's own where none answers: portMapper.ts), listens for
// Erlang's TCP distribution, dials with Erlang's handshake, and makes
// connections (connection.ts) that carry the kernel's entries as control
// messages (entryControls.ts). `erl` and `iex` nodes, and other kit nodes in
// Erlang mode, are its peers.
//
// The kernel's questions land where Erlang's handshake asks them. Erlang's
// acceptor answers a status right after the peer's send_name, before any proof:
// not_allowed for a partition or a stopping node, alive when a connection is up
// (the peer then says whether that one is stale), nok when a connection from it
// is being set up already or this node is dialling it and its own dial wins
// (Erlang's rule: the node with the greater name keeps its attempt). The
// kernel's table changes only once the peer proved the cookie (`decide`, before
// this side's challenge_ack).
import { EpmdRegistration } from './epmdClient.ts';
import { NODE_TYPE } from './epmdProtocol.ts';
import { ErlangConnection } from './connection.ts';
import { encodeForErlang } from './entryControls.ts';
import { ErlangLink, type ErlangLinkOptions } from './erlangLink.ts';
import { HandshakeError, checkCookie, type Status } from './handshakeMessages.ts';
import { listenErlang } from './listener.ts';
import { ensureEpmd } from './portMapper.ts';
import { localNode } from '../localNode.ts';
import { log } from '../logger.ts';
import { addressOf, parseNodeName } from '../nodeName.ts';
import { HandshakeRefused, REFUSALS, type Refusal } from '../distribution/refusals.ts';
import type { AcceptHooks, Dialling, Established, Incoming, Outgoing, Transport, TransportOptions } from '../distribution/transport.ts';
import type { NodeName } from '../terms.ts';
import type { Socket } from 'node:net';

/** A peer's refusal, by the status it answered the dial with. */
const REFUSAL_OF_STATUS: Record<string, Refusal> = { nok: 'simultaneous', not_allowed: 'partitioned', alive: 'alreadyConnected' };

/** Registers with EPMD (starting the kit's own if none answers) and listens for Erlang's distribution. */
export async function startErlangTransport(options: TransportOptions): Promise<Transport> {
  const self = options.name;
  try {
    checkCookie(options.cookie());
  } catch (err) {
    throw new Error(`cannot start node ${self} in Erlang mode: ${(err as Error).message}`);
  }
  try {
    await ensureEpmd({ port: options.epmdPort, addresses: options.exposed, startTimeoutMs: options.setupTimeMs });
  } catch (err) {
    throw new Error(`cannot start node ${self}: ${(err as Error).message}`);
  }
  // Stands in for the sender of what names none, and asks peers' rex for their nodes (connection.ts).
  const sender = localNode.newPid();
  const linkOptions = (): ErlangLinkOptions => ({
    name: self,
    cookie: options.cookie(),
    creation: options.creation,
    tickTimeMs: options.tickTimeMs,
    handshakeTimeoutMs: options.setupTimeMs,
    maxFrameBytes: options.maxFrameBytes,
  });
  const ourDialWins = (peer: NodeName) => self > peer;
  const established = (link: ErlangLink): Established & { opened: boolean } => {
    const result = {
      peer: link.peer.name,
      creation: link.peer.creation,
      opened: false,
      open: (handlers: Parameters<Established['open']>[0]) => {
        result.opened = true;
        return new ErlangConnection(link, handlers, { tickTimeMs: options.tickTimeMs, sender });
      },
    };
    return result;
  };

  /** The status to answer a peer that says hello, and the refusal behind it, if any. */
  const status = (peer: string, hooks: AcceptHooks): { status: Status; refusal?: Refusal; words?: string } => {
    if (peer === self) return { status: 'not_allowed', refusal: 'ownName' };
    try {
      parseNodeName(peer);
    } catch {
      return { status: 'not_allowed', words: 'its name is not a node name' };
    }
    const refusal = hooks.admit(peer);
    if (refusal) return { status: 'not_allowed', refusal };
    switch (hooks.standing(peer)) {
      case 'connected':
        return { status: 'alive' };
      case 'accepting':
        return { status: 'nok', refusal: 'settingUp' };
      case 'dialling':
        return ourDialWins(peer) ? { status: 'nok', refusal: 'simultaneous' } : { status: 'ok_simultaneous' };
      default:
        return { status: 'ok' };
    }
  };

  const incoming = (socket: Socket, from: string, settled: () => void): Incoming => {
    let link: ErlangLink | undefined;
    let made: (Established & { opened: boolean }) | undefined;
    return {
      from,
      settle: settled,
      abandon: () => {
        if (made?.opened) return;
        if (link) link.close('abandoned');
        else socket.destroy();
      },
      accept: async (hooks) => {
        let refusal: Refusal | undefined;
        let words: string | undefined;
        let peer = 'a peer';
        try {
          link = await ErlangLink.accept(socket, {
            ...linkOptions(),
            admit: (hello) => {
              peer = hello.name;
              const answer = status(hello.name, hooks);
              refusal = answer.refusal;
              words = answer.words;
              return answer.status;
            },
            proven: (hello) => {
              const decision = hooks.decide(hello.name, hello.creation);
              if ('refuse' in decision) {
                refusal = decision.refuse;
                throw new HandshakeError(`refused ${hello.name}: ${REFUSALS[decision.refuse]}`);
              }
            },
          });
        } catch (err) {
          if (refusal) throw new HandshakeRefused(`refused ${peer} (at ${from}): ${REFUSALS[refusal]}`, REFUSALS[refusal], 'us');
          if (words) throw new HandshakeError(`refused ${peer} (at ${from}): ${words}`);
          throw err;
        }
        made = established(link);
        return made;
      },
    };
  };

  const listener = await listenErlang({
    host: options.listenAddress,
    onSocket: (socket, from, settled) => {
      socket.on('error', () => {});
      options.incoming(incoming(socket, from, settled));
    },
  }).catch((err: NodeJS.ErrnoException) => {
    const why = err.code === 'EADDRNOTAVAIL' ? `this machine has no address ${options.listenAddress}` : err.message;
    throw new Error(`cannot start node ${self}: ${why}`);
  });

  let registration: EpmdRegistration;
  try {
    registration = await EpmdRegistration.register(
      { host: '127.0.0.1', port: options.epmdPort },
      {
        name: parseNodeName(self).alive,
        port: listener.port,
        // Hidden, as Erlang's C and Java nodes are (README.md, "Visible or hidden").
        nodeType: NODE_TYPE.hidden,
        protocol: 0,
        highestVersion: 6,
        lowestVersion: 6,
        extra: new Uint8Array(),
      },
    );
  } catch (err) {
    await listener.close();
    throw new Error(`cannot start node ${self}: ${(err as Error).message}`);
  }
  let stopping = false;
  registration.on('lost', (why) => {
    // As an erl node whose epmd went away: it stays up, and nobody new can find it.
    if (!stopping) log.warning(`lost EPMD on port ${options.epmdPort} (${why}): other nodes cannot find this one until it starts again`);
  });

  return {
    protocol: 'erlang',
    port: listener.port,
    encode: (entry) => encodeForErlang(entry) as unknown as Outgoing,
    ourDialWins,
    dial(node, connected): Dialling {
      const abort = new AbortController();
      let link: ErlangLink | undefined;
      let made: (Established & { opened: boolean }) | undefined;
      const done = (async () => {
        const { host } = parseNodeName(node);
        try {
          link = await ErlangLink.connect(node, {
            ...linkOptions(),
            epmd: { host: addressOf(host).replace(/^\[|\]$/g, ''), port: options.epmdPort },
            onAlive: () => !connected(node),
            signal: abort.signal,
          });
        } catch (err) {
          const refusal = err instanceof HandshakeError && err.status !== undefined ? REFUSAL_OF_STATUS[err.status] : undefined;
          if (refusal) throw new HandshakeRefused((err as Error).message, REFUSALS[refusal], 'peer');
          throw err;
        }
        made = established(link);
        return made;
      })();
      return {
        done,
        abandon: () => {
          if (made?.opened) return;
          abort.abort();
          link?.close('abandoned');
        },
      };
    },
    async stop() {
      stopping = true;
      await listener.close();
      registration.close();
    },
  };
}

// One connection in Erlang's distribution, as the net kernel sees every
// connection (distribution/transport.ts): entries go in and come out, whatever
// the peer is (an `erl` or `iex` node, or a kit node in Erlang mode). It wraps an
// ErlangLink (framing, ticks, control messages) and adds what the protocol asks
// of a connection itself: an UNLINK_ID is acknowledged at once, and, since a
// hidden node is told of nobody (README.md, "Visible or hidden"), the peer is
// asked which nodes it is connected to, through its rex, so the kernel can
// connect to them as it does to the nodes a kit peer names.
import type { CloseReason } from '../distribution/closeReason.ts';
import type { ConnectionHandlers, Outgoing, PeerConnection } from '../distribution/transport.ts';
import { localNode } from '../localNode.ts';
import { log } from '../logger.ts';
import { isRef, sameRef, type NodeName, type Pid, type Ref } from '../terms.ts';
import type { Control } from './control.ts';
import { controlFor, entryFor, type ErlangOutgoing } from './entryControls.ts';
import type { ErlangLink, LinkEnd } from './erlangLink.ts';
import { genCall } from './genCall.ts';
import { Atom, Tuple, atom, tuple } from './terms.ts';

export interface ErlangConnectionOptions {
  /** The tick time, for the words of a silent peer's end. */
  readonly tickTimeMs: number;
  /**
   * A pid of this node that no process holds: it stands in for the sender of an entry that
   * names none, and asks the peer's rex for its nodes (the answer is taken here).
   */
  readonly sender: Pid;
}

function closeReason(why: string, end: LinkEnd, tickTimeMs: number): CloseReason {
  switch (end.kind) {
    case 'silent':
      return { kind: 'silent', ms: end.ms, tickTimeMs };
    case 'malformed':
      return { kind: 'malformed', detail: why };
    case 'error':
      return { kind: 'socket error', message: why };
    default:
      return { kind: 'ended', why };
  }
}

export class ErlangConnection implements PeerConnection {
  readonly protocol = 'erlang';
  readonly peer: NodeName;
  readonly peerCreation: number;
  private readonly link: ErlangLink;
  private readonly handlers: ConnectionHandlers;
  private readonly options: ErlangConnectionOptions;
  private open = true;
  private lastUnlinkId = 0n;
  /** The tag of the question to the peer's rex about its nodes, until it is answered. */
  private askedNodes: Ref | undefined;

  constructor(link: ErlangLink, handlers: ConnectionHandlers, options: ErlangConnectionOptions) {
    this.link = link;
    this.peer = link.peer.name;
    this.peerCreation = link.peer.creation;
    this.handlers = handlers;
    this.options = options;
    link.on('close', (why, end) => this.shut(closeReason(why, end, options.tickTimeMs)));
  }

  get isOpen(): boolean {
    return this.open;
  }

  send(out: Outgoing): void {
    if (!this.open) return;
    try {
      this.link.send(controlFor(out as unknown as ErlangOutgoing, this.options.sender, () => ++this.lastUnlinkId));
    } catch (err) {
      // The terms were encoded when sent; what is left (a pid's creation out of range) is dropped, as Erlang drops it.
      log.warning(`could not send to ${this.peer}: ${(err as Error).message}`);
    }
  }

  /**
   * A kit peer is told the other nodes in a frame of the kit's own protocol; Erlang has no
   * such message for a hidden node. So the peer is asked instead, as `rpc:call(Peer, erlang,
   * nodes, [connected])` asks: a gen:call to its rex (a kit node in Erlang mode answers it too).
   */
  sendPeers(): void {
    if (!this.open) return;
    const tag = localNode.makeRef();
    this.askedNodes = tag;
    const request = tuple(atom('call'), atom('erlang'), atom('nodes'), [atom('connected')], atom('user'));
    this.link.send({ op: 'regSend', from: this.options.sender, to: 'rex', message: genCall(this.options.sender, tag, request) });
  }

  start(): void {
    if (this.link.closed) {
      this.shut({ kind: 'ended', why: this.link.reason ?? 'the connection closed' });
      return;
    }
    this.link.on('control', (control) => this.control(control));
  }

  close(reason: CloseReason): void {
    if (!this.open) return;
    this.shut(reason);
    this.link.close(reason.kind === 'local' ? reason.why : reason.kind);
  }

  private shut(reason: CloseReason): void {
    if (!this.open) return;
    this.open = false;
    this.handlers.closed(this, reason);
  }

  private control(control: Control): void {
    if (!this.open) return;
    // The new link protocol: the acknowledgement goes back before anything else to that process.
    if (control.op === 'unlinkId') this.link.send({ op: 'unlinkIdAck', id: control.id, from: control.to, to: control.from });
    if (this.answersAskedNodes(control)) return;
    const entry = entryFor(control, this.peer);
    if (!entry) return;
    try {
      this.handlers.entry(entry);
    } catch {
      // Delivery must never take the node down; a broken entry is dropped.
    }
  }

  /** Whether `control` is rex's answer about the peer's nodes: then the kernel hears of them, and no process does. */
  private answersAskedNodes(control: Control): boolean {
    const asked = this.askedNodes;
    // The sender was minted before the node had its name: it comes back under the name (localNode.owns).
    if (!asked || control.op !== 'send' || control.to.id !== this.options.sender.id || !localNode.owns(control.to)) return false;
    const answer = control.message;
    if (!(answer instanceof Tuple) || answer.length !== 2 || !isRef(answer.elements[0]) || !sameRef(answer.elements[0], asked)) return false;
    this.askedNodes = undefined;
    const nodes = answer.elements[1];
    // {badrpc, _} from a node that cannot say: nothing to learn.
    if (Array.isArray(nodes)) this.handlers.peers(nodes.filter((n): n is Atom => n instanceof Atom).map((n) => n.name));
    return true;
  }
}

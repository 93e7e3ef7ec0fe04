// What a protocol must give the net kernel (netKernel.ts), so that one kernel
// runs a node whichever protocol its connections speak: the kit's own
// (kitTransport.ts: WebSockets, JSON entries, MACs) or Erlang's distribution
// (erlang/transport.ts: EPMD, TCP, the external term format). A node speaks one
// of them with every peer (`Node.start(..., { dist })`).
//
// The kernel keeps the connection table, settles simultaneous dials, turns
// connections coming and going into nodeup/nodedown, and hands every entry to
// the harness's link policy (partitions, faults, traces) and to the processes.
// A transport only reaches peers and carries entries: it listens and registers
// with its port mapper, dials, runs its handshake (asking the kernel what to do
// with a peer at the points its protocol allows), and makes connections that
// take entries in (encoded once, when sent) and hand entries out (decoded and
// checked), in order.
import type { NodeName } from '../terms.ts';
import type { CloseReason } from './closeReason.ts';
import type { Entry } from './entries.ts';
import type { Decision, Refusal } from './refusals.ts';

/** An entry in a transport's own encoding: made once by `encode`, carried by that transport's connections only. */
export type Outgoing = { readonly __outgoing: unique symbol };

export interface ConnectionHandlers {
  /** One decoded, checked entry from the peer, in the order it was sent. */
  entry(entry: Entry): void;
  /** Nodes the peer knows: the kernel connects to them (transitive connections). */
  peers(nodes: NodeName[]): void;
  /** The connection is gone, and why. Called once. */
  closed(conn: PeerConnection, reason: CloseReason): void;
}

/** One established connection to a peer. */
export interface PeerConnection {
  /** The peer's incarnation, from its handshake. */
  readonly peerCreation: number;
  readonly isOpen: boolean;
  /** Which protocol it speaks, for logs and traces. */
  readonly protocol: Protocol;
  /** Queues one entry, encoded by this connection's transport; entries leave in the order queued. */
  send(entry: Outgoing): void;
  /** Shares what this node knows of the cluster with the peer (the other nodes it is connected to), as its protocol can. */
  sendPeers(nodes: NodeName[]): void;
  /** Starts handing out what the peer sends (what came with the handshake first); the kernel calls it once the connection is recorded. */
  start(): void;
  /** Closes it; the peer sees it at once, and so does this node (`closed`). */
  close(reason: CloseReason): void;
}

/** A handshake that succeeded: the peer proved the cookie, and its connection waits to be opened. */
export interface Established {
  readonly peer: NodeName;
  readonly creation: number;
  /** Makes the connection, which hands its entries to `handlers` once started. */
  open(handlers: ConnectionHandlers): PeerConnection;
}

/** A connection being set up, dialled or accepted. */
export interface Attempt {
  /** Gives it up (a no-op once its connection is opened): its socket closes, its handshake fails. */
  abandon(): void;
}

/** This node dialling a peer: the lookup, the connect and the handshake. */
export interface Dialling extends Attempt {
  /** The connection, or why not (a HandshakeRefused with the peer's refusal, or an Error in words). */
  readonly done: Promise<Established>;
}

/** What this node has with a peer right now, for a protocol that says it before the peer proves the cookie (Erlang's status). */
export type Standing = 'connected' | 'dialling' | 'accepting' | 'none';

/** What an accepting handshake asks the kernel. */
export interface AcceptHooks {
  /** Before anything is proved: a reason to turn the peer away at once (partitioned, stopping), or undefined. */
  admit(peer: NodeName): Refusal | undefined;
  /** Before anything is proved: what this node has with the peer (only Erlang's handshake asks). */
  standing(peer: NodeName): Standing;
  /** After the peer proved the cookie: whether to take the connection. The kernel records the attempt then. */
  decide(peer: NodeName, creation: number): Decision;
}

/** A connection a peer opened to this node, before its handshake. */
export interface Incoming extends Attempt {
  /** Where it comes from, for the log. */
  readonly from: string;
  /** Runs the accepting handshake. */
  accept(hooks: AcceptHooks): Promise<Established>;
  /** The kernel took the connection: the listener stops counting it among the strangers at its door. */
  settle(): void;
}

export type Protocol = 'kit' | 'erlang';

export interface Transport {
  readonly protocol: Protocol;
  /** The port this node listens on. */
  readonly port: number;
  /** An entry in this transport's encoding; throws for what cannot cross (so the sender hears it, at once). */
  encode(entry: Entry): Outgoing;
  /** When this node and `peer` dial each other at once, whether this node's dial is the one that wins. */
  ourDialWins(peer: NodeName): boolean;
  /** Dials `node`; `connected` tells the handshake whether this node holds a live connection to a peer. */
  dial(node: NodeName, connected: (peer: NodeName) => boolean): Dialling;
  /** Stops listening and leaves the port mapper. */
  stop(): Promise<void>;
}

/** What a transport is started with (the kernel's options, and who takes the connections peers open). */
export interface TransportOptions {
  readonly name: NodeName;
  readonly listenAddress: string;
  /** Addresses the port mapper must listen on too, so other hosts find this node. */
  readonly exposed: string[];
  readonly cookie: () => string;
  readonly creation: number;
  readonly epmdPort: number;
  readonly tickTimeMs: number;
  readonly setupTimeMs: number;
  readonly maxFrameBytes: number;
  /** Each connection a peer opens, before its handshake. */
  readonly incoming: (incoming: Incoming) => void;
}

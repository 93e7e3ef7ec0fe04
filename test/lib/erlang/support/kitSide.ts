// The kit's side of the Erlang-distribution tests: a node name, its links, and what
// arrived on them, with the little a net kernel would add on top of the transport
// (a `net_kernel` that answers ping, the DOWN noconnection of monitors over a link
// that closed), so the transport (lib/erlang) is tested on its own, as the net kernel
// uses it; test/lib/erlang/mixed*.test.ts test whole kit nodes in Erlang mode.
import { EpmdRegistration } from '../../../../lib/erlang/epmdClient.ts';
import { NODE_TYPE } from '../../../../lib/erlang/epmdProtocol.ts';
import type { Control } from '../../../../lib/erlang/control.ts';
import { ErlangLink, type ErlangLinkOptions } from '../../../../lib/erlang/erlangLink.ts';
import { listenErlang, type ErlangListener } from '../../../../lib/erlang/listener.ts';
import { genReply, readGenCall } from '../../../../lib/erlang/genCall.ts';
import { atom, isAtom, isTuple } from '../../../../lib/erlang/terms.ts';
import { shortHostname } from '../../../../lib/nodeName.ts';
import { Pid, Ref, sameRef } from '../../../../lib/terms.ts';
import { waitFor } from '../../../support/wait.ts';

export interface Arrival {
  from: string;
  control: Control;
}

export interface Down {
  ref: Ref;
  reason: unknown;
}

export class KitSide {
  readonly name: string;
  readonly creation: number;
  readonly cookie: string;
  readonly links = new Map<string, ErlangLink>();
  readonly arrivals: Arrival[] = [];
  readonly downs: Down[] = [];
  readonly refused: string[] = [];
  /** Each link that ended, and why. */
  readonly closes: Array<{ peer: string; reason: string }> = [];
  /** The pid of this node's `net_kernel`. */
  readonly netKernel: Pid;
  private readonly options: Partial<ErlangLinkOptions>;
  /** The monitors this node holds over a link: by the ref's id (a decoded ref is another object), its ref and peer. */
  private readonly monitors = new Map<number, { ref: Ref; peer: string }>();
  private listener: ErlangListener | undefined;
  private registration: EpmdRegistration | undefined;
  private nextPid = 2;
  private nextRef = 1;

  constructor(prefix: string, cookie: string, options: Partial<ErlangLinkOptions> = {}) {
    this.name = `${prefix}${process.pid}@${shortHostname()}`;
    this.creation = 1000 + (process.pid % 1000);
    this.cookie = cookie;
    this.options = options;
    this.netKernel = new Pid(this.name, 1, this.creation);
  }

  private linkOptions(): ErlangLinkOptions {
    return { name: this.name, cookie: this.cookie, creation: this.creation, ...this.options };
  }

  /** A fresh pid of this node (a kit process, as far as Erlang can tell). */
  pid(): Pid {
    return new Pid(this.name, this.nextPid++, this.creation);
  }

  ref(): Ref {
    return new Ref(this.name, this.nextRef++, this.creation);
  }

  private adopt(link: ErlangLink): ErlangLink {
    const peer = link.peer.name;
    this.links.set(peer, link);
    link.on('control', (control) => {
      this.arrivals.push({ from: peer, control });
      if (control.op === 'regSend' && control.to === 'net_kernel') {
        // What a net_kernel answers net_adm:ping: yes to {is_auth, Node} (lib/erlang/node.ts does it for a real node).
        const call = readGenCall(control.message);
        if (call && isTuple(call.request, 2) && isAtom(call.request.elements[0], 'is_auth')) {
          const answer = genReply(call, atom('yes'));
          link.send({ op: 'send', from: this.netKernel, to: answer.to, message: answer.message });
        }
      }
      if (control.op === 'monitorExit') {
        const held = this.monitors.get(control.ref.id);
        if (held && sameRef(held.ref, control.ref)) {
          this.monitors.delete(control.ref.id);
          this.downs.push({ ref: held.ref, reason: control.reason });
        }
      }
    });
    link.on('close', (reason) => {
      this.closes.push({ peer, reason });
      if (this.links.get(peer) === link) this.links.delete(peer);
      // The monitors over a connection that is gone fire at once, with noconnection.
      for (const [id, held] of this.monitors) {
        if (held.peer !== peer) continue;
        this.monitors.delete(id);
        this.downs.push({ ref: held.ref, reason: 'noconnection' });
      }
    });
    return link;
  }

  async dial(peer: string, epmdPort: number): Promise<ErlangLink> {
    return this.adopt(await ErlangLink.connect(peer, { ...this.linkOptions(), epmd: { port: epmdPort } }));
  }

  /** Listens on loopback and registers with the port mapper, so Erlang can dial this node. */
  async listen(epmdPort: number): Promise<void> {
    this.listener = await listenErlang({
      ...this.linkOptions(),
      host: '127.0.0.1',
      onLink: (link) => this.adopt(link),
      onRefused: (reason) => this.refused.push(reason),
    });
    this.registration = await EpmdRegistration.register(
      { host: '127.0.0.1', port: epmdPort },
      {
        name: this.name.split('@')[0]!,
        port: this.listener.port,
        nodeType: this.options.visible ? NODE_TYPE.normal : NODE_TYPE.hidden,
        protocol: 0,
        highestVersion: 6,
        lowestVersion: 6,
        extra: new Uint8Array(),
      },
    );
  }

  /** Sends MONITOR_P from `from` to `target` on `peer`'s link, and remembers it for its DOWN. */
  monitor(peer: string, from: Pid, target: Pid | string): Ref {
    const ref = this.ref();
    this.monitors.set(ref.id, { ref, peer });
    this.linkTo(peer).send({ op: 'monitor', from, to: target, ref });
    return ref;
  }

  linkTo(peer: string): ErlangLink {
    const link = this.links.get(peer);
    if (!link) throw new Error(`${this.name} has no link to ${peer}`);
    return link;
  }

  /** The first arrival that `match` picks, waiting for it with a bound. */
  async next<T>(match: (a: Arrival) => T | undefined, what: string, timeout = 10_000): Promise<T> {
    return waitFor(() => {
      for (const a of this.arrivals) {
        const found = match(a);
        if (found !== undefined) return found;
      }
      throw new Error(`${this.name} has not received ${what}; it received: ${this.arrivals.map((a) => a.control.op).join(', ') || 'nothing'}`);
    }, timeout);
  }

  async close(): Promise<void> {
    for (const link of this.links.values()) link.close();
    this.registration?.close();
    await this.listener?.close();
  }
}

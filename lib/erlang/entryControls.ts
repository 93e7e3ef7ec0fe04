// The net kernel's entries (distribution/entries.ts) as Erlang's control messages
// (control.ts), both ways: the Erlang wire form of an entry, as entryCodec.ts is the
// kit's. The terms an entry carries (a message, an exit reason) are encoded when the
// entry is sent, so what has no Erlang form throws at the sender; the control around
// them is made when the connection writes it, with the flags that connection has.
//
//   entry                     control (OTP 25's, with the kit's flags)
//   send to a pid             SEND_SENDER {22, From, To} + message
//   sendName                  REG_SEND {6, From, '', Name} + message
//   link / unlink             LINK {1, From, To} / UNLINK_ID {35, Id, From, To} (acknowledged)
//   exit through a link       PAYLOAD_EXIT {24, From, To} + reason
//   exit/2                    PAYLOAD_EXIT2 {26, From, To} + reason
//   monitor / demonitor       MONITOR_P {19, From, PidOrName, Ref} / DEMONITOR_P {20, ...}
//   down                      PAYLOAD_MONITOR_P_EXIT {28, PidOrName, To, Ref} + reason
//
// Messages cross GenServer's boundary (genServerShapes.ts); exit reasons cross as
// reasons.ts says (the kit's reason words are Erlang's atoms).
import type { Entry } from '../distribution/entries.ts';
import { localNode } from '../localNode.ts';
import { isPid, type NodeName, type Pid } from '../terms.ts';
import type { Control } from './control.ts';
import { EncodedTerm } from './etfEncode.ts';
import { fromErlangMessage, toErlangMessage } from './genServerShapes.ts';
import { reasonFromErlang, reasonToErlang } from './reasons.ts';

/** An entry on its way to an Erlang peer: the entry, and the term it carries, encoded. */
export interface ErlangOutgoing {
  readonly entry: Entry;
  readonly term: EncodedTerm | undefined;
}

/** Encodes the term an entry carries; throws ErlangCodecError (naming where) for what has no Erlang form. */
export function encodeForErlang(entry: Entry): ErlangOutgoing {
  switch (entry.kind) {
    case 'send':
    case 'sendName':
      return { entry, term: EncodedTerm.of(toErlangMessage(entry.msg)) };
    case 'exit':
    case 'down':
      return { entry, term: EncodedTerm.of(reasonToErlang(entry.reason)) };
    default:
      return { entry, term: undefined };
  }
}

/**
 * The control message that carries `out`. `sender` stands in for a message's sender when
 * the entry has none (Erlang's REG_SEND must name one); `unlinkId` numbers an unlink.
 */
export function controlFor(out: ErlangOutgoing, sender: Pid, unlinkId: () => bigint): Control {
  const { entry, term } = out;
  switch (entry.kind) {
    case 'send':
      return { op: 'send', from: entry.from ?? sender, to: entry.to, message: term };
    case 'sendName':
      return { op: 'regSend', from: entry.from ?? sender, to: entry.name, message: term };
    case 'link':
      return { op: 'link', from: entry.from, to: entry.to };
    case 'unlink':
      return { op: 'unlinkId', id: unlinkId(), from: entry.from, to: entry.to };
    case 'exit':
      return entry.viaLink ? { op: 'exit', from: entry.from, to: entry.to, reason: term } : { op: 'exit2', from: entry.from, to: entry.to, reason: term };
    case 'monitor':
      return { op: 'monitor', from: entry.from, to: entry.to, ref: entry.ref };
    case 'demonitor':
      return { op: 'demonitor', from: entry.from, to: entry.to, ref: entry.ref };
    case 'down':
      // A monitor by name is answered with the name: Erlang makes {Name, Node} of it itself.
      return { op: 'monitorExit', from: isPid(entry.object) ? entry.object : entry.object.name, to: entry.to, ref: entry.ref, reason: term };
  }
}

/**
 * The entry a control message from `peer` stands for, or undefined for one the kit has no
 * use for (an unlink's acknowledgement, a group leader, an alias it never gave). A message
 * to a pid of another node, or of another incarnation of this one, reaches nobody.
 */
export function entryFor(control: Control, peer: NodeName): Entry | undefined {
  switch (control.op) {
    case 'send':
      if (!localNode.owns(control.to)) return undefined;
      return control.from
        ? { kind: 'send', to: control.to, msg: fromErlangMessage(control.message), from: control.from }
        : { kind: 'send', to: control.to, msg: fromErlangMessage(control.message) };
    case 'regSend':
      return { kind: 'sendName', name: control.to, msg: fromErlangMessage(control.message), from: control.from };
    case 'link':
      return { kind: 'link', from: control.from, to: control.to };
    case 'unlink':
    case 'unlinkId':
      return { kind: 'unlink', from: control.from, to: control.to };
    case 'exit':
      return { kind: 'exit', from: control.from, to: control.to, reason: reasonFromErlang(control.reason), viaLink: true };
    case 'exit2':
      return { kind: 'exit', from: control.from, to: control.to, reason: reasonFromErlang(control.reason), viaLink: false };
    case 'monitor':
      return { kind: 'monitor', from: control.from, to: control.to, ref: control.ref };
    case 'demonitor':
      return { kind: 'demonitor', from: control.from, to: control.to, ref: control.ref };
    case 'monitorExit':
      return {
        kind: 'down',
        to: control.to,
        ref: control.ref,
        // A monitor by name: Erlang names the process it watched, and the node is the peer.
        object: typeof control.from === 'string' ? { name: control.from, node: peer } : control.from,
        reason: reasonFromErlang(control.reason),
      };
    case 'unlinkIdAck':
    case 'groupLeader':
    case 'nodeLink':
    case 'aliasSend':
      return undefined;
  }
}

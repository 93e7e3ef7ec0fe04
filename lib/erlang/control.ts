// The control messages of Erlang's distribution (the documentation's "Protocol
// between Connected Nodes"): what one node asks another, as a tuple whose first
// element says which operation, sometimes followed by a second term (the message of
// a send, the reason of a PAYLOAD_ exit). Here each is a typed object, both ways:
// `encodeFrame` writes the frame for one, choosing the variant the negotiated flags
// call for; `decodeFrame` reads a frame and checks the control's shape, so the
// connection hands out only well-formed operations.
//
// Frames are pass-through ones (a byte 112, then each term with its version byte),
// since the kit offers neither the atom cache nor fragments (flags.ts).
import { Pid, Ref } from '../terms.ts';
import { Reader, Writer } from './bytes.ts';
import { atomName, readTerm } from './etfDecode.ts';
import { writeTerm } from './etfEncode.ts';
import { ErlangCodecError, VERSION } from './etfTags.ts';
import { DFLAG } from './flags.ts';
import { Atom, Tuple } from './terms.ts';

/** The byte that starts a frame without a distribution header. */
export const PASS_THROUGH = 112;

export const OP = {
  LINK: 1,
  SEND: 2,
  EXIT: 3,
  UNLINK: 4,
  NODE_LINK: 5,
  REG_SEND: 6,
  GROUP_LEADER: 7,
  EXIT2: 8,
  SEND_TT: 12,
  EXIT_TT: 13,
  REG_SEND_TT: 16,
  EXIT2_TT: 18,
  MONITOR_P: 19,
  DEMONITOR_P: 20,
  MONITOR_P_EXIT: 21,
  SEND_SENDER: 22,
  SEND_SENDER_TT: 23,
  PAYLOAD_EXIT: 24,
  PAYLOAD_EXIT_TT: 25,
  PAYLOAD_EXIT2: 26,
  PAYLOAD_EXIT2_TT: 27,
  PAYLOAD_MONITOR_P_EXIT: 28,
  SPAWN_REQUEST: 29,
  SPAWN_REQUEST_TT: 30,
  SPAWN_REPLY: 31,
  SPAWN_REPLY_TT: 32,
  ALIAS_SEND: 33,
  ALIAS_SEND_TT: 34,
  UNLINK_ID: 35,
  UNLINK_ID_ACK: 36,
} as const;

/** A process named on the receiving node: a pid, or a registered name (an atom in Erlang). */
export type ProcessRef = Pid | string;

/**
 * One operation between two nodes. `token` is a sequential trace token, carried but not used.
 * `send` has `from` when the peer said who sent it (SEND_SENDER).
 */
export type Control =
  | { op: 'send'; from?: Pid; to: Pid; message: unknown; token?: unknown }
  | { op: 'regSend'; from: Pid; to: string; message: unknown; token?: unknown }
  | { op: 'aliasSend'; from: Pid; alias: Ref; message: unknown; token?: unknown }
  | { op: 'link'; from: Pid; to: Pid }
  | { op: 'unlink'; from: Pid; to: Pid }
  | { op: 'unlinkId'; id: bigint; from: Pid; to: Pid }
  | { op: 'unlinkIdAck'; id: bigint; from: Pid; to: Pid }
  | { op: 'exit'; from: Pid; to: Pid; reason: unknown; token?: unknown }
  | { op: 'exit2'; from: Pid; to: Pid; reason: unknown; token?: unknown }
  | { op: 'monitor'; from: Pid; to: ProcessRef; ref: Ref }
  | { op: 'demonitor'; from: Pid; to: ProcessRef; ref: Ref }
  | { op: 'monitorExit'; from: ProcessRef; to: Pid; ref: Ref; reason: unknown }
  | { op: 'groupLeader'; from: Pid; to: Pid }
  | { op: 'nodeLink' };

export type ControlOp = Control['op'];

export class ControlError extends Error {
  override name = 'ControlError';
}

const UNUSED = Atom.of('');

function name(to: ProcessRef): Pid | Atom {
  return typeof to === 'string' ? Atom.of(to) : to;
}

function withToken(tuple: unknown[], token: unknown): unknown[] {
  return token === undefined ? tuple : [...tuple, token];
}

/** The control tuple and the term after it (if any) that carry `c` over a connection with `flags`. */
export function controlTerms(c: Control, flags: bigint): { control: Tuple; payload?: { term: unknown } } {
  const tt = 'token' in c && c.token !== undefined;
  const payloadExits = (flags & DFLAG.EXIT_PAYLOAD) !== 0n;
  const t = (...elements: unknown[]) => new Tuple(elements);
  switch (c.op) {
    case 'send':
      if (c.from && flags & DFLAG.SEND_SENDER) return { control: t(...withToken([tt ? OP.SEND_SENDER_TT : OP.SEND_SENDER, c.from, c.to], c.token)), payload: { term: c.message } };
      return { control: t(...withToken([tt ? OP.SEND_TT : OP.SEND, UNUSED, c.to], c.token)), payload: { term: c.message } };
    case 'regSend':
      return { control: t(...withToken([tt ? OP.REG_SEND_TT : OP.REG_SEND, c.from, UNUSED, Atom.of(c.to)], c.token)), payload: { term: c.message } };
    case 'aliasSend':
      if (!(flags & DFLAG.ALIAS)) throw new ControlError('ALIAS_SEND needs the ALIAS flag, which this connection did not negotiate');
      return { control: t(...withToken([tt ? OP.ALIAS_SEND_TT : OP.ALIAS_SEND, c.from, c.alias], c.token)), payload: { term: c.message } };
    case 'link':
      return { control: t(OP.LINK, c.from, c.to) };
    case 'unlink':
      if (flags & DFLAG.UNLINK_ID) throw new ControlError('the old UNLINK is not for a connection with the new link protocol: send unlinkId');
      return { control: t(OP.UNLINK, c.from, c.to) };
    case 'unlinkId':
      return { control: t(OP.UNLINK_ID, c.id, c.from, c.to) };
    case 'unlinkIdAck':
      return { control: t(OP.UNLINK_ID_ACK, c.id, c.from, c.to) };
    case 'exit':
      if (payloadExits) return { control: t(...withToken([tt ? OP.PAYLOAD_EXIT_TT : OP.PAYLOAD_EXIT, c.from, c.to], c.token)), payload: { term: c.reason } };
      return { control: t(...(tt ? [OP.EXIT_TT, c.from, c.to, c.token, c.reason] : [OP.EXIT, c.from, c.to, c.reason])) };
    case 'exit2':
      if (payloadExits) return { control: t(...withToken([tt ? OP.PAYLOAD_EXIT2_TT : OP.PAYLOAD_EXIT2, c.from, c.to], c.token)), payload: { term: c.reason } };
      return { control: t(...(tt ? [OP.EXIT2_TT, c.from, c.to, c.token, c.reason] : [OP.EXIT2, c.from, c.to, c.reason])) };
    case 'monitor':
      return { control: t(OP.MONITOR_P, c.from, name(c.to), c.ref) };
    case 'demonitor':
      return { control: t(OP.DEMONITOR_P, c.from, name(c.to), c.ref) };
    case 'monitorExit':
      if (payloadExits) return { control: t(OP.PAYLOAD_MONITOR_P_EXIT, name(c.from), c.to, c.ref), payload: { term: c.reason } };
      return { control: t(OP.MONITOR_P_EXIT, name(c.from), c.to, c.ref, c.reason) };
    case 'groupLeader':
      return { control: t(OP.GROUP_LEADER, c.from, c.to) };
    case 'nodeLink':
      return { control: t(OP.NODE_LINK) };
  }
}

/** The frame (without its 4-byte length) that carries `c`; throws before writing anything if a term has no Erlang form. */
export function encodeFrame(c: Control, flags: bigint): Buffer {
  const { control, payload } = controlTerms(c, flags);
  const w = new Writer();
  w.u8(PASS_THROUGH);
  w.u8(VERSION);
  writeTerm(w, control);
  if (payload) {
    w.u8(VERSION);
    writeTerm(w, payload.term);
  }
  return w.result();
}

function readVersioned(r: Reader): unknown {
  if (r.u8() !== VERSION) throw new ControlError('a term in the frame does not start with the version byte 131');
  return readTerm(r);
}

/** Reads a frame a peer sent (without its 4-byte length): the control and the term after it, if any. */
export function decodeFrame(frame: Buffer): Control {
  const r = new Reader(frame);
  const first = r.u8();
  if (first !== PASS_THROUGH) {
    throw new ControlError(first === VERSION ? 'a frame with a distribution header, though neither the atom cache nor fragments were negotiated' : `a frame starting with byte ${first}`);
  }
  let control: unknown;
  let payload: { term: unknown } | undefined;
  try {
    control = readVersioned(r);
    if (r.left > 0) payload = { term: readVersioned(r) };
  } catch (err) {
    throw err instanceof ErlangCodecError ? new ControlError(`a frame whose terms do not decode: ${err.message}`) : err;
  }
  if (r.left > 0) throw new ControlError(`${r.left} bytes after the frame's terms`);
  return readControl(control, payload);
}

const pid = (v: unknown): Pid => {
  if (v instanceof Pid) return v;
  throw new ControlError('a pid was expected');
};
const ref = (v: unknown): Ref => {
  if (v instanceof Ref) return v;
  throw new ControlError('a reference was expected');
};
const processRef = (v: unknown): ProcessRef => {
  if (v instanceof Pid) return v;
  const n = atomName(v);
  if (n !== undefined) return n;
  throw new ControlError('a pid or a registered name was expected');
};
const registered = (v: unknown): string => {
  const n = atomName(v);
  if (n === undefined) throw new ControlError('a registered name (an atom) was expected');
  return n;
};
const unlinkId = (v: unknown): bigint => {
  const id = typeof v === 'number' && Number.isInteger(v) ? BigInt(v) : v;
  if (typeof id !== 'bigint' || id < 1n || id >= 1n << 64n) throw new ControlError('an unlink id is an integer from 1 to 2^64 - 1');
  return id;
};

/** Checks a decoded control tuple (and its payload) and gives the operation it stands for. */
export function readControl(control: unknown, payload: { term: unknown } | undefined): Control {
  if (!(control instanceof Tuple) || control.length === 0 || typeof control.elements[0] !== 'number') throw new ControlError('a control message is a tuple starting with its operation number');
  const [op, a, b, c, d] = control.elements as unknown[];
  const arity = control.length;
  const expect = (n: number, withPayload: boolean) => {
    if (arity !== n) throw new ControlError(`control message ${op} has ${arity} elements, not ${n}`);
    if (withPayload !== (payload !== undefined)) throw new ControlError(`control message ${op} ${withPayload ? 'lacks its payload' : 'has a payload it should not'}`);
  };
  const message = () => payload!.term;
  switch (op) {
    case OP.SEND:
      expect(3, true);
      return { op: 'send', to: pid(b), message: message() };
    case OP.SEND_TT:
      expect(4, true);
      return { op: 'send', to: pid(b), message: message(), token: c };
    case OP.SEND_SENDER:
      expect(3, true);
      return { op: 'send', from: pid(a), to: pid(b), message: message() };
    case OP.SEND_SENDER_TT:
      expect(4, true);
      return { op: 'send', from: pid(a), to: pid(b), message: message(), token: c };
    case OP.REG_SEND:
      expect(4, true);
      return { op: 'regSend', from: pid(a), to: registered(c), message: message() };
    case OP.REG_SEND_TT:
      expect(5, true);
      return { op: 'regSend', from: pid(a), to: registered(c), message: message(), token: d };
    case OP.ALIAS_SEND:
      expect(3, true);
      return { op: 'aliasSend', from: pid(a), alias: ref(b), message: message() };
    case OP.ALIAS_SEND_TT:
      expect(4, true);
      return { op: 'aliasSend', from: pid(a), alias: ref(b), message: message(), token: c };
    case OP.LINK:
      expect(3, false);
      return { op: 'link', from: pid(a), to: pid(b) };
    case OP.UNLINK:
      expect(3, false);
      return { op: 'unlink', from: pid(a), to: pid(b) };
    case OP.UNLINK_ID:
      expect(4, false);
      return { op: 'unlinkId', id: unlinkId(a), from: pid(b), to: pid(c) };
    case OP.UNLINK_ID_ACK:
      expect(4, false);
      return { op: 'unlinkIdAck', id: unlinkId(a), from: pid(b), to: pid(c) };
    case OP.EXIT:
      expect(4, false);
      return { op: 'exit', from: pid(a), to: pid(b), reason: c };
    case OP.EXIT_TT:
      expect(5, false);
      return { op: 'exit', from: pid(a), to: pid(b), reason: d, token: c };
    case OP.PAYLOAD_EXIT:
      expect(3, true);
      return { op: 'exit', from: pid(a), to: pid(b), reason: message() };
    case OP.PAYLOAD_EXIT_TT:
      expect(4, true);
      return { op: 'exit', from: pid(a), to: pid(b), reason: message(), token: c };
    case OP.EXIT2:
      expect(4, false);
      return { op: 'exit2', from: pid(a), to: pid(b), reason: c };
    case OP.EXIT2_TT:
      expect(5, false);
      return { op: 'exit2', from: pid(a), to: pid(b), reason: d, token: c };
    case OP.PAYLOAD_EXIT2:
      expect(3, true);
      return { op: 'exit2', from: pid(a), to: pid(b), reason: message() };
    case OP.PAYLOAD_EXIT2_TT:
      expect(4, true);
      return { op: 'exit2', from: pid(a), to: pid(b), reason: message(), token: c };
    case OP.MONITOR_P:
      expect(4, false);
      return { op: 'monitor', from: pid(a), to: processRef(b), ref: ref(c) };
    case OP.DEMONITOR_P:
      expect(4, false);
      return { op: 'demonitor', from: pid(a), to: processRef(b), ref: ref(c) };
    case OP.MONITOR_P_EXIT:
      expect(5, false);
      return { op: 'monitorExit', from: processRef(a), to: pid(b), ref: ref(c), reason: d };
    case OP.PAYLOAD_MONITOR_P_EXIT:
      expect(4, true);
      return { op: 'monitorExit', from: processRef(a), to: pid(b), ref: ref(c), reason: message() };
    case OP.GROUP_LEADER:
      expect(3, false);
      return { op: 'groupLeader', from: pid(a), to: pid(b) };
    case OP.NODE_LINK:
      expect(1, false);
      return { op: 'nodeLink' };
    default:
      // SPAWN_REQUEST and SPAWN_REPLY need the SPAWN flag, which the kit does not offer.
      throw new ControlError(`control message ${String(op)} is not one the kit takes`);
  }
}

// EPMD's binary protocol (the documentation's "EPMD Protocol"): each request is a
// 2-byte length and a body whose first byte says which request it is. A node keeps
// the connection of its ALIVE2_REQ open for as long as it is registered; every other
// request gets one answer, then the port mapper closes the connection.

export const ERLANG_EPMD_PORT = 4369;

export const EPMD = {
  ALIVE2_REQ: 120,
  ALIVE2_X_RESP: 118,
  ALIVE2_RESP: 121,
  PORT_PLEASE2_REQ: 122,
  PORT2_RESP: 119,
  NAMES_REQ: 110,
  DUMP_REQ: 100,
  KILL_REQ: 107,
  STOP_REQ: 115,
} as const;

/** A normal (visible) node's type in EPMD, and a hidden one's (C nodes, the kit unless visible). */
export const NODE_TYPE = { normal: 77, hidden: 72 } as const;

/** What a node registers, and what a lookup tells about it. */
export interface EpmdNodeInfo {
  /** The part of the node name before `@`. */
  name: string;
  port: number;
  nodeType: number;
  /** 0 is TCP/IPv4, the only one Erlang's TCP distribution uses. */
  protocol: number;
  highestVersion: number;
  lowestVersion: number;
  extra: Uint8Array;
}

export class EpmdProtocolError extends Error {
  override name = 'EpmdProtocolError';
}

/** The port mapper's port: ERL_EPMD_PORT if set (as erl reads it), else 4369. */
export function erlangEpmdPort(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.ERL_EPMD_PORT;
  if (raw === undefined || raw === '') return ERLANG_EPMD_PORT;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`ERL_EPMD_PORT=${raw} is not a port number (1-65535)`);
  return port;
}

/** Prefixes a request body with its 2-byte length. */
export function request(body: Uint8Array): Buffer {
  if (body.length > 0xffff) throw new EpmdProtocolError('an EPMD request is at most 65535 bytes');
  const out = Buffer.allocUnsafe(2 + body.length);
  out.writeUInt16BE(body.length, 0);
  out.set(body, 2);
  return out;
}

function nodeInfoBody(tag: number, info: EpmdNodeInfo, prefix: number[]): Buffer {
  const name = Buffer.from(info.name, 'utf8');
  const head = Buffer.from([tag, ...prefix]);
  const fixed = Buffer.alloc(8);
  fixed.writeUInt16BE(info.port, 0);
  fixed[2] = info.nodeType;
  fixed[3] = info.protocol;
  fixed.writeUInt16BE(info.highestVersion, 4);
  fixed.writeUInt16BE(info.lowestVersion, 6);
  const nameLen = Buffer.alloc(2);
  nameLen.writeUInt16BE(name.length, 0);
  const extraLen = Buffer.alloc(2);
  extraLen.writeUInt16BE(info.extra.length, 0);
  return Buffer.concat([head, fixed, nameLen, name, extraLen, info.extra]);
}

/** ALIVE2_REQ: register `info` (the reply comes on the same connection, which stays open). */
export function alive2Request(info: EpmdNodeInfo): Buffer {
  return request(nodeInfoBody(EPMD.ALIVE2_REQ, info, []));
}

/** Reads the node fields that ALIVE2_REQ and PORT2_RESP share, from `at` on. */
export function readNodeInfo(body: Buffer, at: number): EpmdNodeInfo {
  if (body.length < at + 12) throw new EpmdProtocolError('node information is truncated');
  const nameLen = body.readUInt16BE(at + 8);
  const nameEnd = at + 10 + nameLen;
  if (nameLen === 0 || body.length < nameEnd + 2) throw new EpmdProtocolError('a node name is empty or truncated');
  const extraLen = body.readUInt16BE(nameEnd);
  if (body.length < nameEnd + 2 + extraLen) throw new EpmdProtocolError('the extra field is truncated');
  const rawName = body.subarray(at + 10, nameEnd);
  let name: string;
  try {
    name = new TextDecoder('utf-8', { fatal: true }).decode(rawName);
  } catch {
    throw new EpmdProtocolError('a node name is not valid UTF-8');
  }
  if (name.includes('\0')) throw new EpmdProtocolError('a node name contains a NUL byte');
  return {
    port: body.readUInt16BE(at),
    nodeType: body[at + 2]!,
    protocol: body[at + 3]!,
    highestVersion: body.readUInt16BE(at + 4),
    lowestVersion: body.readUInt16BE(at + 6),
    name,
    extra: Uint8Array.from(body.subarray(nameEnd + 2, nameEnd + 2 + extraLen)),
  };
}

/** ALIVE2_X_RESP: the result (0 is ok) and the creation the node is to use. */
export function alive2Response(result: number, creation: number): Buffer {
  const out = Buffer.alloc(6);
  out[0] = EPMD.ALIVE2_X_RESP;
  out[1] = result;
  out.writeUInt32BE(creation >>> 0, 2);
  return out;
}

/** PORT_PLEASE2_REQ for the node called `name` (the part before `@`). */
export function portPleaseRequest(name: string): Buffer {
  return request(Buffer.concat([Buffer.from([EPMD.PORT_PLEASE2_REQ]), Buffer.from(name, 'utf8')]));
}

/** PORT2_RESP: the node's information, or only an error result when it is not registered. */
export function port2Response(info: EpmdNodeInfo | undefined): Buffer {
  return info ? nodeInfoBody(EPMD.PORT2_RESP, info, [0]) : Buffer.from([EPMD.PORT2_RESP, 1]);
}

/** NAMES_RESP: the port mapper's port, then a line per registered name, as erl_epmd parses them. */
export function namesResponse(epmdPort: number, names: Array<{ name: string; port: number }>): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(epmdPort, 0);
  return Buffer.concat([head, Buffer.from(names.map((n) => `name ${n.name} at port ${n.port}\n`).join(''), 'utf8')]);
}

/** Parses the lines of a NAMES_RESP (after its 4-byte port). */
export function parseNames(text: string): Array<{ name: string; port: number }> {
  const out: Array<{ name: string; port: number }> = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^name (.+) at port (\d+)$/.exec(line);
    if (m) out.push({ name: m[1]!, port: Number(m[2]) });
  }
  return out;
}

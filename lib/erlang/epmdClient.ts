// A client of EPMD's binary protocol: what a node asks the port mapper of a host
// (Erlang's own epmd, or the kit's in epmdServer.ts; they answer alike).
import { connect, type Socket } from 'node:net';
import { EventEmitter } from 'node:events';
import {
  EPMD,
  EpmdProtocolError,
  alive2Request,
  parseNames,
  portPleaseRequest,
  readNodeInfo,
  request,
  type EpmdNodeInfo,
} from './epmdProtocol.ts';

export interface EpmdAddress {
  host: string;
  port: number;
  /** How long a request may take, in ms. Default 5000. */
  timeoutMs?: number;
}

function describeFailure(err: NodeJS.ErrnoException, at: EpmdAddress): Error {
  if (err.code === 'ECONNREFUSED') return new Error(`no port mapper answers on ${at.host}:${at.port} (is epmd running?)`);
  return new Error(`the port mapper on ${at.host}:${at.port}: ${err.message}`);
}

/** Sends one request and collects the whole answer, which ends when the port mapper closes the connection. */
function ask(at: EpmdAddress, body: Buffer, maxBytes = 1024 * 1024): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect(at.port, at.host);
    const chunks: Buffer[] = [];
    let size = 0;
    socket.setTimeout(at.timeoutMs ?? 5_000, () => socket.destroy(new Error(`no answer within ${at.timeoutMs ?? 5_000} ms`)));
    socket.on('data', (chunk) => {
      size += chunk.length;
      if (size > maxBytes) socket.destroy(new Error(`answer over ${maxBytes} bytes`));
      else chunks.push(chunk);
    });
    socket.once('error', (err) => reject(describeFailure(err, at)));
    socket.once('end', () => {
      socket.destroy();
      resolve(Buffer.concat(chunks));
    });
    socket.write(body);
  });
}

/** PORT_PLEASE2_REQ: where the node called `name` (before the `@`) listens, or undefined if it is not registered. */
export async function lookupNode(at: EpmdAddress, name: string): Promise<EpmdNodeInfo | undefined> {
  const answer = await ask(at, portPleaseRequest(name));
  if (answer.length < 2 || answer[0] !== EPMD.PORT2_RESP) throw new EpmdProtocolError('the port mapper did not answer PORT_PLEASE2_REQ with PORT2_RESP');
  if (answer[1] !== 0) return undefined;
  return readNodeInfo(answer, 2);
}

/** NAMES_REQ: the names registered there, with their ports, and the port mapper's own port. */
export async function listNames(at: EpmdAddress): Promise<{ epmdPort: number; names: Array<{ name: string; port: number }> }> {
  const answer = await ask(at, request(Buffer.from([EPMD.NAMES_REQ])));
  if (answer.length < 4) throw new EpmdProtocolError('the NAMES_RESP is shorter than its 4-byte port');
  return { epmdPort: answer.readUInt32BE(0), names: parseNames(answer.subarray(4).toString('utf8')) };
}

/** KILL_REQ: 'OK' if the port mapper stops, 'NO' if it refuses (Erlang's epmd does while names are registered). */
export async function killEpmd(at: EpmdAddress): Promise<'OK' | 'NO'> {
  const answer = (await ask(at, request(Buffer.from([EPMD.KILL_REQ])))).toString('latin1');
  if (answer === 'OK' || answer === 'NO') return answer;
  throw new EpmdProtocolError(`the port mapper answered KILL_REQ with ${JSON.stringify(answer)}`);
}

/** Whether a port mapper answers there (a NAMES_REQ gets an answer). */
export async function epmdAnswers(at: EpmdAddress): Promise<boolean> {
  try {
    await listNames({ ...at, timeoutMs: at.timeoutMs ?? 2_000 });
    return true;
  } catch {
    return false;
  }
}

/**
 * A node's registration: its connection to the port mapper, which must stay open
 * for as long as the node is registered. Emits 'lost' if the port mapper goes away.
 */
export class EpmdRegistration extends EventEmitter<{ lost: [reason: string] }> {
  readonly creation: number;
  private readonly socket: Socket;
  private closing = false;
  private constructor(socket: Socket, creation: number) {
    super();
    this.socket = socket;
    this.creation = creation;
    socket.on('data', () => socket.destroy()); // nothing more may come on this connection
    socket.once('close', () => {
      if (!this.closing) this.emit('lost', 'the port mapper closed the registration');
    });
  }

  /** ALIVE2_REQ: registers `info`; rejects if the name is taken or the port mapper refuses. */
  static register(at: EpmdAddress, info: EpmdNodeInfo): Promise<EpmdRegistration> {
    return new Promise((resolve, reject) => {
      const socket = connect(at.port, at.host);
      let got = Buffer.alloc(0);
      const fail = (err: Error) => {
        socket.destroy();
        reject(err);
      };
      socket.setTimeout(at.timeoutMs ?? 5_000, () => fail(new Error(`the port mapper on ${at.host}:${at.port} did not answer ALIVE2_REQ within ${at.timeoutMs ?? 5_000} ms`)));
      socket.once('error', (err) => fail(describeFailure(err, at)));
      socket.once('close', () => fail(new Error(`the port mapper on ${at.host}:${at.port} closed the connection without registering ${info.name} (it takes names only from this host)`)));
      const onData = (chunk: Buffer) => {
        got = Buffer.concat([got, chunk]);
        const tag = got[0];
        const need = tag === EPMD.ALIVE2_X_RESP ? 6 : tag === EPMD.ALIVE2_RESP ? 4 : 1;
        if (got.length < need) return;
        socket.off('data', onData);
        socket.removeAllListeners('close');
        socket.removeAllListeners('error');
        socket.setTimeout(0);
        if (tag !== EPMD.ALIVE2_X_RESP && tag !== EPMD.ALIVE2_RESP) return fail(new EpmdProtocolError(`the port mapper answered ALIVE2_REQ with tag ${tag}`));
        if (got[1] !== 0) return fail(new Error(`the port mapper refused the name ${info.name} (result ${got[1]}): a node of that name is already registered`));
        const creation = tag === EPMD.ALIVE2_X_RESP ? got.readUInt32BE(2) : got.readUInt16BE(2);
        socket.on('error', () => {}); // reported as 'lost' on close
        resolve(new EpmdRegistration(socket, creation));
      };
      socket.on('data', onData);
      socket.write(alive2Request(info));
    });
  }

  /** Unregisters: closing the connection is how a node leaves EPMD. */
  close(): void {
    this.closing = true;
    this.socket.destroy();
  }
}

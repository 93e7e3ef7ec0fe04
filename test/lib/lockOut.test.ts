// Lock-out by another user of the same machine (issue 21, attack 3): a program
// run as `nobody` holds idle sockets to a listener, as many as its door lets
// wait (32 from one address; 128 in all), and keeps them held. A full door
// closes the oldest stranger to make room, so a node that comes to prove the
// cookie still connects, every time, within the setup time; the same for the
// port mapper (nodes still start and register, names are still answered) and
// the storage (its limits: 256 from one address, 1024 in all). A client that is
// closed is told why.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultPromise } from 'execa';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Node, Storage } from '../../lib/index.ts';
import { EpmdClient } from '../../lib/epmd/client.ts';
import { startStorage, type StorageProcess } from '../../lib/cluster/storageProcess.ts';
import { HandshakeError, initiate } from '../../lib/distribution/handshake.ts';
import { opened, openSocket } from '../../lib/distribution/dialer.ts';
import { COOKIE, startChild, startManager, uniqueName } from '../support/nodes.ts';
import { asOtherUser, otherUserCannot, startAsNobody } from '../support/otherUser.ts';
import { rawTcp, upgraded } from '../support/rawSocket.ts';
import { waitFor } from '../support/wait.ts';

const HOLDER = fileURLToPath(new URL('./fixtures/slotHolder.ts', import.meta.url));
const holders: ResultPromise[] = [];
const dir = mkdtempSync(join(tmpdir(), 'distsys-lockout-'));
let storage: StorageProcess | undefined;

afterAll(async () => {
  for (const h of holders) h.kill('SIGKILL');
  await Promise.all(holders.map((h) => h.catch(() => {})));
  await storage?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const epmdPort = () => Number(process.env.DISTSYS_EPMD_PORT);
const portOf = (node: string) => EpmdClient.ask(epmdPort(), '127.0.0.1', (c) => c.lookup(node.split('@')[0] as string));

/** Holds `count` idle sockets to `port` from each of `addresses`, as nobody, until released; resolves once they are all held. */
async function holdDoor(port: number, count: number, addresses: string[]): Promise<{ release(): Promise<void> }> {
  const holder = startAsNobody(HOLDER, [String(port), String(count), ...addresses], { buffer: false, stdin: 'ignore' });
  holders.push(holder);
  let said = '';
  holder.stdout?.setEncoding('utf8');
  holder.stdout?.on('data', (chunk: string) => (said += chunk));
  await waitFor(() => expect(said).toContain(`"held":${count * addresses.length}`), 20_000);
  return {
    async release() {
      holder.kill('SIGKILL');
      await holder.catch(() => {});
    },
  };
}

/** Connects this node to `target` and disconnects, `times` times; each try must succeed within the setup time. */
async function connectsEveryTime(target: string, times: number): Promise<void> {
  const results: boolean[] = [];
  for (let i = 0; i < times; i++) {
    results.push(await Node.connect(target));
    Node.disconnect(target);
    await waitFor(() => expect(Node.list()).not.toContain(target));
  }
  expect(results, `a node that knows the cookie could connect ${results.filter(Boolean).length} times of ${times} while the door was held`).toEqual(Array(times).fill(true));
}

const OTHERS = ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5'];

beforeAll(async () => {
  await startManager();
});

describe('another user holding idle sockets locks nobody out', () => {
  it.skipIf(otherUserCannot !== undefined)(asOtherUser("a node: a peer connects every time while 32 idle sockets from its own address, then 128 from others, are held"), { timeout: 90_000 }, async () => {
    const target = await startChild('door');
    const port = (await portOf(target.name)) as number;
    const fromHere = await holdDoor(port, 32, ['127.0.0.1']);
    await connectsEveryTime(target.name, 6);
    await fromHere.release();
    const fromElsewhere = await holdDoor(port, 32, OTHERS);
    await connectsEveryTime(target.name, 6);
    await fromElsewhere.release();
    await waitFor(() => expect(target.log()).toMatch(/refused a connection from 127\.0\.0\.\d: too many connections (from that address )?were waiting to prove themselves: the oldest was closed to make room/));
  });

  it.skipIf(otherUserCannot !== undefined)(asOtherUser('the port mapper: nodes still start and register, and names are answered, while 32, then 128, idle sockets are held'), { timeout: 90_000 }, async () => {
    for (const addresses of [['127.0.0.1'], OTHERS]) {
      const holder = await holdDoor(epmdPort(), 32, addresses);
      const late = await startChild('late');
      const names = await EpmdClient.ask(epmdPort(), '127.0.0.1', (c) => c.names());
      expect(names.map((n) => n.name)).toContain(late.name.split('@')[0]);
      expect(await Node.connect(late.name)).toBe(true);
      await holder.release();
    }
  });

  it.skipIf(otherUserCannot !== undefined)(asOtherUser('the storage: commands are answered while 256 idle sockets from one address, then 1024 from several, are held'), { timeout: 90_000 }, async () => {
    storage = await startStorage({ dir: join(dir, 'store'), temporary: true });
    const port = Number(new URL(storage.url).port);
    const client = Storage.connect(storage.url);
    for (const [count, addresses] of [[256, ['127.0.0.1']], [256, OTHERS]] as const) {
      const holder = await holdDoor(port, count, [...addresses]);
      for (let i = 0; i < 6; i++) {
        await client.set(`key${i}`, `value${i}`);
        expect(await client.get(`key${i}`)).toBe(`value${i}`);
      }
      await holder.release();
    }
  });
});

describe('a connection the door closes is told why', () => {
  it('a node in the middle of its handshake, closed to make room, says so rather than "read ECONNRESET"', async () => {
    const target = await startChild('busy');
    const port = (await portOf(target.name)) as number;
    const socket = openSocket({ url: `ws://127.0.0.1:${port}/`, address: `127.0.0.1:${port}` }, 7_000);
    await opened(socket, { url: `ws://127.0.0.1:${port}/`, address: `127.0.0.1:${port}` });
    // It stops reading for a while (a busy laptop), and newer connections come from its address, upgraded
    // like it: 31 fill the door, the 32nd needs room.
    socket.pause();
    const newer = await Promise.all(Array.from({ length: 31 }, () => upgraded(port)));
    newer.push(await upgraded(port));
    socket.resume();
    const handshake = initiate(socket, target.name, { self: `${uniqueName('slow')}@${target.name.split('@')[1]}`, creation: 1, cookie: () => COOKIE, timeoutMs: 7_000 }, { connected: () => false });
    const error = await handshake.then(() => undefined, (err: unknown) => err);
    expect(error).toBeInstanceOf(HandshakeError);
    expect((error as Error).message).toBe(
      'connection closed during the handshake (1013 too many connections from that address were waiting to prove themselves: the oldest was closed to make room)',
    );
    for (const s of newer) s.destroy();
    // Before its upgrade, a client gets the same words in an HTTP answer (the dialer and the port mapper's client read it).
    const early = await rawTcp(port);
    let said = '';
    early.on('data', (chunk: Buffer) => (said += chunk.toString()));
    const crowd = await Promise.all(Array.from({ length: 32 }, () => rawTcp(port)));
    await waitFor(() => expect(said).toContain('turned away: too many connections from that address were waiting to prove themselves'));
    expect(said).toMatch(/^HTTP\/1\.1 503 /);
    for (const s of [early, ...crowd]) s.destroy();
  });
});

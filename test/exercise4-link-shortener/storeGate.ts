// A door between the shortener's nodes and the embedded storage, so that two
// creates on two nodes really meet at the store. Requests sent "at the same
// moment" from two processes rarely interleave at the store on an idle laptop:
// one node's two commands are usually done before the other's first arrives,
// and a check-then-claim storeLink passes by luck. Under load, in a real
// cluster, they do interleave. `meet(key)` makes that happen every time: it holds
// the first command on `key` until a second one arrives (or `withinMs` passes),
// then lets both through together, and records what the store was asked.
// `away(true)` makes the store unreachable for the nodes (every command fails, as
// during a restart of the store or a network fault) until `away(false)`.
//
// It forwards everything else untouched. With a Redis as the storage
// (npm run test:redis) there is no door: the nodes talk to Redis directly and
// the race is left to chance; the tests still hold, they just catch less.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { COMMAND_PATH, MAX_BODY_BYTES, parseStorageUrl, storageUrl } from '../../lib/storage/protocol.ts';

/** One command the store was asked about the watched key, in the order the door let it through. */
export interface Asked {
  readonly command: string;
  /** For a set: whether it was "only if absent". */
  readonly nx?: boolean;
}

export interface Meeting {
  /** Whether a second command on the key came while the first was held. */
  readonly met: boolean;
  /** Every command on the key that went through the door while it was watched. */
  readonly asked: Asked[];
}

export interface StoreGate {
  /** The storage URL to give the nodes (the door's address, the storage's token). */
  readonly url: string;
  /** From now on, holds the first command on `key` until a second arrives (at most `withinMs`), and records the commands on it. */
  meet(key: string, withinMs?: number): void;
  /** Stops watching the key; what was asked about it. */
  done(): Meeting;
  /** While true, every command fails as if the storage could not be reached. */
  away(gone: boolean): void;
  close(): Promise<void>;
}

interface Watch {
  readonly key: string;
  readonly withinMs: number;
  held: (() => void) | undefined;
  /** Whether the door still holds a first command (it does so once: until a second comes or the time is up). */
  waiting: boolean;
  met: boolean;
  readonly asked: Asked[];
}

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) resolve(undefined);
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const keyOf = (body: Buffer): { command: string; key: unknown; nx: boolean } | undefined => {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { command?: unknown; args?: unknown };
    if (typeof parsed.command !== 'string' || !Array.isArray(parsed.args)) return undefined;
    const options = parsed.args[2] as { nx?: unknown } | undefined;
    return { command: parsed.command, key: parsed.args[0], nx: options?.nx === true };
  } catch {
    return undefined;
  }
};

/** Starts a door to the embedded storage at `target`; undefined when the storage is not the embedded one (a Redis). */
export async function startStoreGate(target: string): Promise<StoreGate | undefined> {
  const address = parseStorageUrl(target, 'the storage URL');
  if (address.kind !== 'http' || !address.token) return undefined;
  const endpoint = `${address.origin}${COMMAND_PATH}`;
  let watch: Watch | undefined;
  let gone = false;

  const server: Server = createServer((req, res) => {
    const answer = (status: number, text: string) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(text);
    };
    // Only the nodes talk to it: a web page has no business here.
    if (req.headers.origin !== undefined || req.method !== 'POST' || req.url !== COMMAND_PATH) {
      answer(403, JSON.stringify({ ok: false, error: 'the test\'s store door only forwards the nodes\' commands' }));
      req.resume();
      return;
    }
    void (async () => {
      const body = await readBody(req);
      if (body === undefined) return answer(413, JSON.stringify({ ok: false, error: 'too large' }));
      if (gone) return answer(503, JSON.stringify({ ok: false, error: 'the storage cannot be reached (the test took it away)' }));
      const command = keyOf(body);
      const w = watch;
      if (w && command && command.key === w.key) {
        w.asked.push(command.command === 'set' ? { command: 'set', nx: command.nx } : { command: command.command });
        if (w.held) {
          // The second command on the key: both go to the store now.
          w.met = true;
          w.waiting = false;
          const release = w.held;
          w.held = undefined;
          release();
        } else if (w.waiting) {
          await new Promise<void>((resolve) => {
            const release = () => {
              clearTimeout(timer);
              w.waiting = false;
              if (w.held === release) w.held = undefined;
              resolve();
            };
            const timer = setTimeout(release, w.withinMs);
            w.held = release;
          });
        }
      }
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (req.headers.authorization) headers.authorization = req.headers.authorization;
      try {
        const forwarded = await fetch(endpoint, { method: 'POST', headers, body: body.toString('utf8'), signal: AbortSignal.timeout(10_000) });
        answer(forwarded.status, await forwarded.text());
      } catch (err) {
        answer(502, JSON.stringify({ ok: false, error: `the test's store door could not reach the storage: ${(err as Error).message}` }));
      }
    })().catch((err: unknown) => answer(500, JSON.stringify({ ok: false, error: String(err) })));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: storageUrl(`http://127.0.0.1:${port}`, address.token),
    meet(key, withinMs = 3_000) {
      watch?.held?.();
      watch = { key, withinMs, held: undefined, waiting: true, met: false, asked: [] };
    },
    done() {
      const w = watch;
      watch = undefined;
      w?.held?.();
      return { met: w?.met ?? false, asked: w?.asked ?? [] };
    },
    away(value) {
      gone = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        watch?.held?.();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

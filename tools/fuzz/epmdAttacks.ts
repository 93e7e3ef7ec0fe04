// Inputs for the port mapper: requests of every shape, registrations that
// come and go in floods, web pages, and the first step of a takeover (issue
// 21): asking it to exit while a node uses it, which it must refuse.
import fc from 'fast-check';
import { closedWithin, sendBytesAsText, webSocket, type Outcome } from './wire.ts';

const request = fc.oneof(
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.record(
    {
      id: fc.oneof(fc.integer(), fc.string(), fc.constant(null)),
      op: fc.oneof(fc.constantFrom('register', 'lookup', 'names', 'info', 'kill', 'unregister', ''), fc.string()),
      name: fc.oneof(fc.stringMatching(/^[A-Za-z0-9_-]{1,30}$/), fc.string()),
      port: fc.oneof(fc.integer(), fc.string()),
      expose: fc.array(fc.oneof(fc.constantFrom('0.0.0.0', '8.8.8.8', '::', '127.0.0.1', '999.1.1.1'), fc.string()), { maxLength: 3 }),
    },
    { requiredKeys: [] },
  ).map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 200 }),
);

export const epmdInputs = {
  'port mapper: requests of every shape': fc.array(fc.oneof(request, fc.uint8Array({ maxLength: 100 })), { minLength: 1, maxLength: 6 }),
  'port mapper: registrations that come and go': fc.array(fc.stringMatching(/^[A-Za-z0-9_-]{1,20}$/), { minLength: 1, maxLength: 20 }),
  'port mapper: web pages': fc.webUrl(),
  'port mapper: kill while a node uses it': fc.array(fc.constantFrom('names', 'info', 'lookup', 'kill'), { maxLength: 4 }),
};

export function epmdAttacks(port: number): Record<keyof typeof epmdInputs, (input: never) => Promise<Outcome>> {
  return {
    'port mapper: requests of every shape': async (inputs: Array<string | Uint8Array>) => {
      const s = await webSocket(port);
      if (!s) return 'refused at the door';
      let answered = false;
      s.on('message', () => (answered = true));
      for (const input of inputs) {
        if (typeof input === 'string') s.send(input);
        else sendBytesAsText(s, input);
      }
      const closed = await closedWithin(s, 200);
      return closed ? 'closed by the target' : answered ? 'answered' : 'left open (we closed it)';
    },
    'port mapper: registrations that come and go': async (names: string[]) => {
      const sockets = await Promise.all(names.map(() => webSocket(port)));
      sockets.forEach((s, i) => s?.send(JSON.stringify({ id: i, op: 'register', name: `fz-${names[i]}`, port: 1 + i })));
      await new Promise((r) => setTimeout(r, 20));
      for (const s of sockets) s?.terminate();
      return sockets.every(Boolean) ? 'answered' : 'refused at the door';
    },
    'port mapper: kill while a node uses it': async (before: string[]) => {
      const s = await webSocket(port);
      if (!s) return 'refused at the door';
      const replies: Array<{ id: number; ok: boolean; error?: string }> = [];
      s.on('message', (d) => replies.push(JSON.parse(d.toString()) as { id: number; ok: boolean; error?: string }));
      [...before, 'kill'].forEach((op, id) => s.send(JSON.stringify({ id, op, ...(op === 'lookup' ? { name: 'fuzz' } : {}) })));
      const deadline = Date.now() + 2_000;
      while (replies.length <= before.length && Date.now() < deadline && s.readyState === s.OPEN) await new Promise((r) => setTimeout(r, 10));
      s.terminate();
      for (const [id, op] of [...before, 'kill'].entries()) {
        const reply = replies.find((r) => r.id === id);
        if (op === 'kill' && reply?.ok !== false) throw new Error(`the port mapper did not refuse kill while a node is registered: ${JSON.stringify(reply)}`);
      }
      return 'answered';
    },
    'port mapper: web pages': async (origin: string) => {
      const s = await webSocket(port, { origin });
      if (s) throw new Error(`the port mapper let a web page (Origin ${origin}) in`);
      return 'refused at the door';
    },
  };
}

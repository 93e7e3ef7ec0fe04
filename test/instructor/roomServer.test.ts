// The room's server: the live view's door (its own Host, its own Origin, the
// token of the address it printed), posts checked with zod and bounded, the
// attendee's client against it, and a room of 30 simulated attendees posting
// their test runs at once, some leaving and others arriving.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { openRoom, type Room } from '../../apps/room/index.ts';
import { sendToRoom } from '../../apps/room/client.ts';
import { LIMITS } from '../../apps/room/protocol.ts';
import { freePort } from '../support/globalSetup.ts';

const S1 = 'exercise1-connect';
const PROBLEMS = ['warm-up', 'problem 1', 'problem 2'];

let now = 1_000_000_000;
let room: Room;
let port: number;
let token: string;
beforeAll(async () => {
  room = await openRoom({ addresses: () => [], now: () => now, catalogue: PROBLEMS.map((problem) => ({ stage: S1, problem })) });
  const url = new URL(room.url);
  port = Number(url.port);
  token = url.searchParams.get('token') as string;
});
afterAll(() => room?.close());

interface Answer {
  status: number;
  headers: Record<string, unknown>;
  body: string;
}

/** A request; `from` is the loopback address it comes from (Linux answers on all of 127.0.0.0/8), as if from another laptop. */
function ask(path: string, options: { method?: string; headers?: Record<string, string>; body?: string; from?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const from = options.from ? { localAddress: options.from } : {};
    const req = request({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: { host: `127.0.0.1:${port}`, ...options.headers }, ...from }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

const post = (body: unknown, headers: Record<string, string> = {}, path = `/report?token=${token}`, from?: string) =>
  ask(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body), ...(from ? { from } : {}) });

/** The address of simulated laptop `n`. */
const laptop = (n: number) => `127.0.1.${n}`;

/** An attendee's run: the problems before `upTo` green, that one red (with the headline), the rest not run. */
const run = (name: string, upTo: number, headline = `collect on ping-pong${upTo} returned {}`) => ({
  name,
  results: PROBLEMS.slice(0, upTo + 1).map((problem, i) => (i < upTo ? { stage: S1, problem, passed: 2, failed: 0 } : { stage: S1, problem, passed: 0, failed: 2, headline })),
});

describe('the room server', () => {
  it('prints an address that carries its token, serves its page with it, never framed, and its state with it only', async () => {
    expect(room.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{20,}$/);
    const page = await ask(`/?token=${token}`);
    expect(page.status).toBe(200);
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(String(page.headers['content-security-policy'])).toContain("frame-ancestors 'none'");
    expect(String(page.headers['content-security-policy'])).toContain("connect-src 'self'");
    expect((await ask('/')).status).toBe(403);
    expect((await ask('/?token=wrong')).status).toBe(403);
    expect((await ask('/room.js')).status).toBe(200);
    expect((await ask('/state')).status).toBe(403);
    const state = await ask(`/state?token=${token}`);
    expect(state.status).toBe(200);
    expect(JSON.parse(state.body).problems.map((p: { problem: string }) => p.problem)).toEqual(PROBLEMS);
    expect((await ask('/nothing')).status).toBe(404);
    expect((await ask(`/?token=${token}`, { method: 'DELETE' })).status).toBe(405);
  });

  it('refuses requests addressed to another host name (DNS rebinding) and pages of other origins, posts included', async () => {
    expect((await ask(`/?token=${token}`, { headers: { host: `evil.example:${port}` } })).status).toBe(403);
    expect((await ask(`/state?token=${token}`, { headers: { origin: 'http://evil.example' } })).status).toBe(403);
    expect((await ask(`/state?token=${token}`, { headers: { origin: `http://127.0.0.1:${port}` } })).status).toBe(200);
    const forged = await post(run('Mallory', 0), { origin: 'http://evil.example' });
    expect(forged).toMatchObject({ status: 403, body: 'a page from http://evil.example may not use the room\n' });
    expect((await post(run('Mallory', 0), {}, '/report')).status).toBe(403);
    expect((await post(run('Mallory', 0), {}, '/report?token=nope')).status).toBe(403);
    expect((await ask(`/report?token=${token}`)).status).toBe(405);
    expect(room.roster.view().attendees.map((a) => a.name)).not.toContain('Mallory');
  });

  it('answers a post that is not a report, or too big, with the reason, and keeps serving', async () => {
    expect(await post('not json')).toMatchObject({ status: 400, body: 'not a report this room takes: the body: Invalid input: expected object, received undefined\n' });
    expect((await post({ ...run('Ada', 0), code: 'export function broadcast() {}' })).body).toMatch(/^not a report this room takes: .*code/);
    expect((await post({ name: 'Ada', results: [{ stage: S1, problem: 'warm-up', passed: 1, failed: 1, headline: 'x'.repeat(LIMITS.headline + 1) }] })).status).toBe(400);
    expect((await post('{"name": "Ada", "results": [' + '{},'.repeat(8_000) + '{}]}')).status).toBe(413);
    expect((await ask(`/state?token=${token}`)).status).toBe(200);
    expect(room.roster.size).toBe(0);
  });

  it("takes an attendee's results from the client the test runs use, and says so in one line", async () => {
    const env = { DISTSYS_ROOM: room.url, DISTSYS_ROOM_NAME: 'Ada' };
    const line = await sendToRoom([{ stage: S1, problem: 'warm-up', passed: 6, failed: 1, headline: 'isUp(chris) should be true' }], {}, env);
    expect(line).toBe(`Sent to the room at 127.0.0.1:${port}, as "Ada": your results and the first line of each failure.`);
    expect(room.roster.view().attendees).toMatchObject([{ name: 'Ada', stage: S1, problem: 'warm-up', cells: ['red', 'none', 'none'] }]);
    expect(room.roster.view().problems[0]?.top).toEqual({ count: 1, headline: 'isUp(chris) should be true' });
    expect(await sendToRoom([{ stage: S1, problem: 'warm-up', passed: 1, failed: 0 }], {}, { DISTSYS_ROOM: room.url })).toMatch(/^Not sent to the room at .*: choose the name the room shows/);
    expect(await sendToRoom([{ stage: S1, problem: 'warm-up', passed: 1, failed: 0 }], {}, {})).toBeUndefined();
  });

  it('a room that is gone costs a test run one line, not its result', async () => {
    const gone = `http://127.0.0.1:${await freePort()}/?token=${token}`;
    const line = await sendToRoom([{ stage: S1, problem: 'warm-up', passed: 1, failed: 0 }], {}, { DISTSYS_ROOM: gone, DISTSYS_ROOM_NAME: 'Ada' });
    expect(line).toMatch(/^Not sent to the room at 127\.0\.0\.1:\d+: .*ECONNREFUSED.* \(your tests are not affected\)\.$/);
  });

  it('takes at most so many posts a minute from one attendee, then says why', async () => {
    const answers: number[] = [];
    for (let i = 0; i < LIMITS.postsPerMinute + 1; i++) answers.push((await post(run('Eager', 0), {}, undefined, laptop(200))).status);
    expect(answers.filter((s) => s === 204)).toHaveLength(LIMITS.postsPerMinute);
    const last = await post(run('Eager', 0), {}, undefined, laptop(200));
    expect(last).toMatchObject({ status: 429, body: `at most ${LIMITS.postsPerMinute} results a minute from one attendee\n` });
  });

  it('a room of 30 attendees posting their runs at once: every post taken, every attendee where their last run put them; some leave, others come', async () => {
    const before = room.roster.size;
    const attendees = Array.from({ length: 30 }, (_, i) => `attendee ${String(i + 1).padStart(2, '0')}`);
    const began = performance.now();
    // Each attendee runs their tests four times, side by side with everyone else, getting further each time.
    const statuses = await Promise.all(
      attendees.map(async (name, i) => {
        const got: number[] = [];
        const headline = i % 2 ? 'the master read the result before reduce job 0 had written' : i % 4 ? `collect on ping-pong${i} waited forever` : 'collect asked no consumer';
        for (let runNo = 0; runNo < 4; runNo++) got.push((await post(run(name, Math.min(runNo, i % 3), headline), {}, undefined, laptop(i + 1))).status);
        return got;
      }),
    );
    const ms = performance.now() - began;
    process.stdout.write(`room: 30 attendees x 4 posts taken in ${ms.toFixed(0)} ms\n`);
    expect(statuses.flat().filter((s) => s !== 204)).toEqual([]);
    let view = room.roster.view();
    expect(view.attendees).toHaveLength(before + 30);
    for (const [i, name] of attendees.entries()) {
      const seen = view.attendees.find((a) => a.name === name);
      expect(seen, name).toMatchObject({ stage: S1, problem: PROBLEMS[i % 3], away: false });
    }
    const p2 = view.problems.find((p) => p.problem === 'problem 2');
    expect(p2).toMatchObject({ red: 10, on: 10, top: { count: 5, headline: 'the master read the result before reduce job 0 had written' } });

    // Twenty minutes later, the first ten have gone quiet; ten newcomers arrive; the rest carry on.
    now += 20 * 60_000;
    await Promise.all(attendees.slice(10).map((name, i) => post(run(name, 2), {}, undefined, laptop(i + 11))));
    const newcomers = await Promise.all(Array.from({ length: 10 }, (_, i) => post(run(`newcomer ${i}`, 0), {}, undefined, laptop(100 + i))));
    expect(newcomers.map((a) => a.status)).toEqual(Array(10).fill(204));
    view = room.roster.view();
    expect(view.attendees.filter((a) => a.away).map((a) => a.name).sort()).toEqual(expect.arrayContaining(attendees.slice(0, 10)));
    expect(view.attendees.filter((a) => !a.away)).toHaveLength(30);
    const page = await ask(`/state?token=${token}`);
    expect(page.status).toBe(200);
    expect(JSON.parse(page.body).attendees.length).toBe(view.attendees.length);
  });
});

// The room's aggregation and the attendee's side of it, in this process: what
// the roster makes of posts (where each attendee is and since when, green and
// red per problem, the failure most of the red share), its bounds (posts per
// minute, names per address, attendees), attendees coming and going; what may
// leave an attendee's laptop; which addresses count as the local network.
import { describe, expect, it } from 'vitest';
import { Roster } from '../../apps/room/roster.ts';
import { buildReport, reportUrl, roomChoice, scrubHeadline } from '../../apps/room/client.ts';
import { isLanAddress } from '../../apps/room/lan.ts';
import { roomReport, type RoomProblemResult } from '../../apps/room/protocol.ts';

const S1 = 'exercise1-connect';
const S3 = 'exercise3-map-reduce';
const CATALOGUE = [
  { stage: S1, problem: 'warm-up', heading: 'Warm-up: first steps' },
  { stage: S1, problem: 'problem 1', heading: 'Problem 1: broadcast' },
  { stage: S1, problem: 'problem 2', heading: 'Problem 2: collect' },
  { stage: S3, problem: 'warm-up', heading: 'Warm-up: word count' },
  { stage: S3, problem: 'problem 1', heading: 'Problem 1: the master' },
];

const green = (stage: string, problem: string): RoomProblemResult => ({ stage, problem, passed: 2, failed: 0 });
const red = (stage: string, problem: string, headline: string): RoomProblemResult => ({ stage, problem, passed: 1, failed: 1, headline });

function clock() {
  let now = 1_000_000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('the roster', () => {
  it('puts each attendee on the first unsolved problem of their latest run, and counts the time from when they got there', () => {
    const t = clock();
    const roster = new Roster({ catalogue: CATALOGUE, now: t.now });
    roster.record('10.0.0.1', { name: 'Ada', results: [green(S1, 'warm-up'), red(S1, 'problem 1', 'a'), red(S1, 'problem 2', 'b')] });
    t.advance(5 * 60_000);
    roster.record('10.0.0.1', { name: 'Ada', results: [green(S1, 'warm-up'), red(S1, 'problem 1', 'a again'), red(S1, 'problem 2', 'b')] });
    let ada = roster.view().attendees[0];
    expect(ada).toMatchObject({ name: 'Ada', stage: S1, problem: 'problem 1', forMs: 5 * 60_000, away: false, cells: ['green', 'red', 'red', 'none', 'none'] });
    t.advance(60_000);
    roster.record('10.0.0.1', { name: 'Ada', results: [green(S1, 'problem 1'), red(S1, 'problem 2', 'b')] });
    ada = roster.view().attendees[0];
    expect(ada).toMatchObject({ problem: 'problem 2', forMs: 0, cells: ['green', 'green', 'red', 'none', 'none'] });
    t.advance(60_000);
    roster.record('10.0.0.1', { name: 'Ada', results: [green(S1, 'warm-up'), green(S1, 'problem 1'), green(S1, 'problem 2')] });
    expect(roster.view().attendees[0]).toMatchObject({ stage: S1, problem: undefined, forMs: 0, cells: ['green', 'green', 'green', 'none', 'none'] });
  });

  it("counts green and red per problem, and names the failure most of the red share (numbers aside), with how many", () => {
    const roster = new Roster({ catalogue: CATALOGUE });
    const reds = [
      'the master read the result before reduce job 0 had written',
      'the master read the result before reduce job 3 had written',
      'the master read the result before reduce job 1 had written',
      'the master handed no job to worker2',
    ];
    reds.forEach((headline, i) => roster.record(`10.0.0.${i + 1}`, { name: `red${i}`, results: [green(S3, 'warm-up'), red(S3, 'problem 1', headline)] }));
    roster.record('10.0.0.9', { name: 'green', results: [green(S3, 'warm-up'), green(S3, 'problem 1')] });
    const master = roster.view().problems.find((p) => p.stage === S3 && p.problem === 'problem 1');
    expect(master).toEqual({
      stage: S3,
      problem: 'problem 1',
      heading: 'Problem 1: the master',
      green: 1,
      red: 4,
      on: 4,
      top: { count: 3, headline: 'the master read the result before reduce job 0 had written' },
    });
    const warmUp = roster.view().problems.find((p) => p.stage === S3 && p.problem === 'warm-up');
    expect(warmUp).toMatchObject({ green: 5, red: 0, on: 0, top: undefined });
    // The catalogue's problems are there before anyone ran them, in lesson order.
    expect(roster.view().problems.map((p) => `${p.stage} ${p.problem}`)).toEqual(CATALOGUE.map((p) => `${p.stage} ${p.problem}`));
  });

  it('keeps two laptops with one name apart; a laptop that renames itself more than a few times loses its oldest names', () => {
    const t = clock();
    const roster = new Roster({ now: t.now, namesPerAddress: 2 });
    roster.record('10.0.0.1', { name: 'Sam', results: [green(S1, 'warm-up')] });
    roster.record('10.0.0.2', { name: 'Sam', results: [red(S1, 'warm-up', 'x')] });
    expect(roster.view().attendees.map((a) => a.name)).toEqual(['Sam', 'Sam']);
    t.advance(1);
    roster.record('10.0.0.1', { name: 'Sam B', results: [green(S1, 'warm-up')] });
    t.advance(1);
    roster.record('10.0.0.1', { name: 'Samuel', results: [green(S1, 'warm-up')] });
    expect(roster.view().attendees.map((a) => a.name).sort()).toEqual(['Sam', 'Sam B', 'Samuel']);
    expect(roster.size).toBe(3);
  });

  it('takes a bounded number of posts per attendee per minute', () => {
    const t = clock();
    const roster = new Roster({ now: t.now, postsPerMinute: 3 });
    const post = () => roster.record('10.0.0.1', { name: 'Eager', results: [red(S1, 'warm-up', 'x')] });
    expect([post(), post(), post()]).toEqual([undefined, undefined, undefined]);
    expect(post()).toEqual({ status: 429, why: 'at most 3 results a minute from one attendee' });
    t.advance(60_000);
    expect(post()).toBeUndefined();
  });

  it('holds a bounded number of attendees: when full, someone away makes room, else a newcomer is refused', () => {
    const t = clock();
    const roster = new Roster({ now: t.now, maxAttendees: 3, awayAfterMs: 10 * 60_000 });
    for (const n of [1, 2, 3]) roster.record(`10.0.0.${n}`, { name: `a${n}`, results: [green(S1, 'warm-up')] });
    expect(roster.record('10.0.0.4', { name: 'late', results: [green(S1, 'warm-up')] })).toEqual({ status: 503, why: 'the room is full (3 attendees, all active)' });
    t.advance(10 * 60_000);
    roster.record('10.0.0.2', { name: 'a2', results: [green(S1, 'warm-up')] });
    roster.record('10.0.0.3', { name: 'a3', results: [green(S1, 'warm-up')] });
    expect(roster.view().attendees.find((a) => a.name === 'a1')?.away).toBe(true);
    expect(roster.record('10.0.0.4', { name: 'late', results: [green(S1, 'warm-up')] })).toBeUndefined();
    expect(roster.view().attendees.map((a) => a.name).sort()).toEqual(['a2', 'a3', 'late']);
  });

  it('shows a silent attendee as away, then forgets them; one who comes back is active again', () => {
    const t = clock();
    const roster = new Roster({ now: t.now, awayAfterMs: 60_000, forgetAfterMs: 120_000 });
    roster.record('10.0.0.1', { name: 'Leaving', results: [red(S1, 'warm-up', 'x')] });
    roster.record('10.0.0.2', { name: 'Staying', results: [red(S1, 'warm-up', 'x')] });
    t.advance(60_000);
    roster.record('10.0.0.2', { name: 'Staying', results: [red(S1, 'warm-up', 'x')] });
    expect(roster.view().attendees.map((a) => [a.name, a.away])).toEqual([['Staying', false], ['Leaving', true]]);
    t.advance(60_000);
    expect(roster.view().attendees.map((a) => a.name)).toEqual(['Staying']);
    roster.record('10.0.0.1', { name: 'Leaving', results: [green(S1, 'warm-up')] });
    expect(roster.view().attendees.map((a) => [a.name, a.away])).toEqual([['Leaving', false], ['Staying', true]]);
  });
});

describe("what leaves an attendee's laptop", () => {
  const who = { user: 'ada', home: '/home/ada', host: 'adas-laptop' };

  it('a headline: its first line, without paths, the user or machine name, or terminal codes, and bounded', () => {
    expect(scrubHeadline('Error: at /home/ada/kit/exercises/x.ts:12:5 boom\n    at more', who)).toBe('Error: at …/x.ts:12:5 boom');
    expect(scrubHeadline('no file in /home/ada', who)).toBe('no file in ~');
    expect(scrubHeadline('consumer on ping-pong2@adas-laptop saw 2 pings', who)).toBe('consumer on ping-pong2@… saw 2 pings');
    expect(scrubHeadline('C:\\Users\\Ada\\kit\\x.ts failed', who)).toBe('…/x.ts failed');
    expect(scrubHeadline('GET /abc123/aggregates answered 404', who)).toBe('GET /abc123/aggregates answered 404');
    expect(scrubHeadline('\u001b[31mred\u001b[39m\ttext', who)).toBe('red text');
    expect(scrubHeadline('x'.repeat(500), who)).toHaveLength(300);
  });

  it('a report: the chosen name and the results, nothing without a name', () => {
    const report = buildReport(' Ada L. ', [{ stage: S1, problem: 'warm-up', passed: 6, failed: 1, headline: 'isUp(chris) should be true\nNext: …' }, { stage: S1, problem: 'problem 1', passed: 1, failed: 0 }]);
    expect(report).toEqual({ name: 'Ada L.', results: [{ stage: S1, problem: 'warm-up', passed: 6, failed: 1, headline: 'isUp(chris) should be true' }, { stage: S1, problem: 'problem 1', passed: 1, failed: 0 }] });
    expect(roomReport.safeParse(report).success).toBe(true);
    expect(buildReport(undefined, [{ stage: S1, problem: 'warm-up', passed: 1, failed: 0 }])).toMatch(/^choose the name the room shows: export DISTSYS_ROOM_NAME=/);
  });

  it('the room is chosen by flags or by DISTSYS_ROOM, and its address must carry the token', () => {
    expect(roomChoice({}, {})).toBeUndefined();
    expect(roomChoice({}, { DISTSYS_ROOM: 'http://10.0.0.5:4390/?token=abc', DISTSYS_ROOM_NAME: 'Ada' })).toEqual({ room: 'http://10.0.0.5:4390/?token=abc', as: 'Ada' });
    expect(roomChoice({ room: 'http://10.0.0.6:4390/?token=x', as: 'Bo' }, { DISTSYS_ROOM: 'http://10.0.0.5:4390/?token=abc', DISTSYS_ROOM_NAME: 'Ada' })).toEqual({ room: 'http://10.0.0.6:4390/?token=x', as: 'Bo' });
    expect(String(reportUrl('http://10.0.0.5:4390/?token=abc'))).toBe('http://10.0.0.5:4390/report?token=abc');
    expect(reportUrl('http://10.0.0.5:4390/')).toBe('the address has no ?token=… (copy the whole address the room printed)');
    expect(reportUrl('10.0.0.5:4390')).toMatch(/is not the room's|is not an address/);
  });

  it('the room refuses what its form does not allow', () => {
    const ok = { name: 'Ada', results: [{ stage: S1, problem: 'warm-up', passed: 1, failed: 0 }] };
    expect(roomReport.safeParse(ok).success).toBe(true);
    for (const bad of [
      { ...ok, name: '' },
      { ...ok, name: 'x'.repeat(41) },
      { ...ok, name: 'Ada\u001b[2J' },
      { ...ok, results: [] },
      { ...ok, results: [{ stage: 'rm -rf', problem: 'warm-up', passed: 1, failed: 0 }] },
      { ...ok, results: [{ stage: S1, problem: 'problem one', passed: 1, failed: 0 }] },
      { ...ok, results: [{ stage: S1, problem: 'warm-up', passed: 0, failed: 0 }] },
      { ...ok, results: [{ stage: S1, problem: 'warm-up', passed: 1, failed: 1, headline: 'x'.repeat(301) }] },
      { ...ok, results: [{ stage: S1, problem: 'warm-up', passed: 1, failed: 0, code: 'export function …' }] },
      { ...ok, user: 'ada' },
      { ...ok, results: Array.from({ length: 65 }, () => ok.results[0]) },
    ]) {
      expect(roomReport.safeParse(bad).success, JSON.stringify(bad).slice(0, 120)).toBe(false);
    }
  });
});

describe('the local network', () => {
  const none = {};
  it('is loopback, private, link-local and shared (hotspot, overlay) addresses, IPv4 and IPv6', () => {
    for (const a of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.23', '169.254.1.1', '100.64.0.1', '::1', '::ffff:192.168.1.5', 'fd12:3456::1', 'fe80::1']) expect(isLanAddress(a, none), a).toBe(true);
    for (const a of ['8.8.8.8', '172.32.0.1', '192.169.0.1', '100.128.0.1', '::ffff:8.8.8.8', '2001:db8::1', undefined, 'nonsense']) expect(isLanAddress(a, none), String(a)).toBe(false);
  });

  it("and the subnets of this machine's interfaces, public addresses included (a university's Wi-Fi)", () => {
    const campus = {
      wlan0: [
        { address: '130.225.10.20', netmask: '255.255.254.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal: false, cidr: '130.225.10.20/23' },
        { address: '2001:db8:5:6::20', netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: '00:00:00:00:00:00', internal: false, cidr: '2001:db8:5:6::20/64', scopeid: 0 },
      ],
    } as const;
    const interfaces = campus as unknown as Parameters<typeof isLanAddress>[1];
    for (const a of ['130.225.11.7', '::ffff:130.225.10.1', '2001:db8:5:6::99']) expect(isLanAddress(a, interfaces), a).toBe(true);
    for (const a of ['130.225.12.1', '130.224.10.20', '2001:db8:5:7::1']) expect(isLanAddress(a, interfaces), a).toBe(false);
  });
});

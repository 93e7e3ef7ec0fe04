// What an attendee's laptop sends to the room, and the room's bounds. The post
// is checked with zod on arrival (it comes from the network); this is all it
// may hold: a display name the attendee chose, and per stage and problem how
// many tests passed and failed, with the first line of the first failure.
import { z } from 'zod';

export const LIMITS = {
  /** Characters of a display name. */
  name: 40,
  /** Characters of a failure headline (the attendee's side cuts it first). */
  headline: 300,
  /** Problems in one post: every problem of every stage fits. */
  results: 64,
  /** Bytes of a post's body. */
  bodyBytes: 16 * 1024,
  /** Attendees the room remembers. */
  attendees: 200,
  /** Display names one address may hold at once (renaming yourself replaces the oldest). */
  namesPerAddress: 4,
  /** Posts one attendee may make per minute: a test run posts once, watch mode on every save. */
  postsPerMinute: 30,
} as const;

/** No control characters (no terminal escapes, no line breaks) in what the room shows. */
const printable = (what: string) => z.string().refine((s) => !/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(s), `${what} may not hold control characters`);

export const stageName = z.string().regex(/^exercise\d{1,2}-[a-z0-9-]{1,40}$/, 'a stage is named like exercise3-map-reduce');
export const problemName = z.string().regex(/^(warm-up|problem \d{1,2}|stretch)$/, 'a problem is "warm-up", "problem N" or "stretch"');

export const problemResult = z
  .object({
    stage: stageName,
    problem: problemName,
    passed: z.number().int().min(0).max(1000),
    failed: z.number().int().min(0).max(1000),
    headline: printable('a headline').pipe(z.string().min(1).max(LIMITS.headline)).optional(),
  })
  .strict()
  .refine((r) => r.passed + r.failed > 0, 'a problem result counts at least one test');

export const roomReport = z
  .object({
    name: printable('a name').pipe(z.string().trim().min(1).max(LIMITS.name)),
    results: z.array(problemResult).min(1).max(LIMITS.results),
  })
  .strict();

export type RoomReport = z.infer<typeof roomReport>;
export type RoomProblemResult = z.infer<typeof problemResult>;

/** The path attendees post to, beside the page. */
export const REPORT_PATH = '/report';

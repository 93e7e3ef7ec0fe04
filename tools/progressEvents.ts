// What tools/progressReporter.ts prints while a run goes on, one event a line
// after a prefix that no test prints, and its schema (the line crosses from the
// vitest process to the script that started it).
import { z } from 'zod';

export const PROGRESS_PREFIX = '\u001edistsys-progress ';

export const progressEvent = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('planned'), files: z.array(z.string()) }),
  z.object({ kind: z.literal('file'), file: z.string(), tests: z.array(z.object({ title: z.string(), state: z.string() })) }),
]);

export type ProgressEvent = z.infer<typeof progressEvent>;

/** The event a line of output carries, or undefined for any other line. */
export function progressOf(line: string): ProgressEvent | undefined {
  const at = line.indexOf(PROGRESS_PREFIX);
  if (at === -1) return undefined;
  try {
    const parsed = progressEvent.safeParse(JSON.parse(line.slice(at + PROGRESS_PREFIX.length)));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

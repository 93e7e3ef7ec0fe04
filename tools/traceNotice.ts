// The trace of a failing stage test travels from the test (test/support/stage.ts
// writes it) to the reporter (tools/stageReporter.ts names it after the
// results) in the test's metadata, which vitest hands from the test's process
// to the reporter's.
export interface TraceNotice {
  /** The events, as JSON lines, relative to the folder the tests run in. */
  readonly jsonl: string;
  /** The sequence diagram drawn from them, when it could be drawn. */
  readonly page?: string | undefined;
  /** Why the page could not be drawn (the .jsonl is still there). */
  readonly pageError?: string | undefined;
}

declare module '@vitest/runner' {
  interface TaskMeta {
    trace?: TraceNotice;
  }
}

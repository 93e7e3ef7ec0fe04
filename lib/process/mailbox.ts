// A process's mailbox with Erlang's selective receive: `receive` takes the
// oldest message that matches and leaves the others in place, in order.

/** Thrown inside a process whose receive timed out with nothing matching. */
export class ReceiveTimeout extends Error {
  override name = 'ReceiveTimeout';
}

/** Thrown inside a process that was killed while it waited: its code unwinds and stops. */
export class ExitSignal extends Error {
  override name = 'ExitSignal';
  readonly reason: unknown;
  constructor(reason: unknown) {
    super(`process exited: ${typeof reason === 'string' ? reason : String(reason)}`);
    this.reason = reason;
  }
}

export type Matcher = (msg: unknown) => boolean;

interface Waiter {
  match: Matcher | undefined;
  resolve: (msg: unknown) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout | undefined;
}

/**
 * A process may wait in several receives at once (JavaScript lets a process
 * `await Promise.all([call(a), call(b)])`, which Erlang's one-at-a-time receive
 * cannot express). Each new message goes to the oldest pending receive that
 * accepts it; a message no receive accepts stays in the mailbox, in order.
 */
export class Mailbox {
  // Messages live in `queue` from index `head` on; taking the oldest is O(1).
  private queue: unknown[] = [];
  private head = 0;
  private waiters: Waiter[] = [];
  private closedWith: ExitSignal | undefined;

  get size(): number {
    return this.queue.length - this.head;
  }

  /** The messages waiting, oldest first (for inspection, never for taking). */
  peek(): readonly unknown[] {
    return this.queue.slice(this.head);
  }

  put(msg: unknown): void {
    if (this.closedWith) return;
    for (const waiter of this.waiters) {
      let matched = true;
      if (waiter.match) {
        try {
          matched = waiter.match(msg);
        } catch (err) {
          // A matcher that throws fails its own receive; the message stays for others.
          this.settle(waiter);
          waiter.reject(err as Error);
          this.put(msg);
          return;
        }
      }
      if (matched) {
        this.settle(waiter);
        waiter.resolve(msg);
        return;
      }
    }
    this.queue.push(msg);
  }

  /** Ends every pending receive with `err`; the messages stay (the shell, when Ctrl+C abandons an input). */
  abandonReceives(err: Error): void {
    for (const waiter of this.waiters.splice(0)) {
      if (waiter.timer) clearTimeout(waiter.timer);
      waiter.reject(err);
    }
  }

  /** Takes the oldest waiting message that `match` accepts, if there is one, without waiting (or throwing). */
  takeNow(match: Matcher): { ok: true; msg: unknown } | { ok: false } {
    return this.take(match);
  }

  /** Takes every waiting message at once, oldest first (the shell's `flush()`). */
  drain(): unknown[] {
    const all = this.queue.slice(this.head);
    this.queue = [];
    this.head = 0;
    return all;
  }

  /** Takes the oldest message that `match` accepts, waiting up to `timeoutMs` (Infinity by default). */
  receive(match: Matcher | undefined, timeoutMs: number, describeSelf: () => string): Promise<unknown> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    let found: { ok: true; msg: unknown } | { ok: false };
    try {
      found = this.take(match);
    } catch (err) {
      return Promise.reject(err as Error);
    }
    if (found.ok) return Promise.resolve(found.msg);
    if (timeoutMs <= 0) return Promise.reject(this.timeoutError(timeoutMs, describeSelf));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { match, resolve, reject, timer: undefined };
      if (Number.isFinite(timeoutMs)) {
        waiter.timer = setTimeout(() => {
          this.settle(waiter);
          reject(this.timeoutError(timeoutMs, describeSelf));
        }, timeoutMs);
      }
      this.waiters.push(waiter);
    });
  }

  /** Ends the mailbox: pending receives reject with the exit, later ones too. */
  close(signal: ExitSignal): void {
    this.closedWith = signal;
    for (const waiter of this.waiters.splice(0)) {
      if (waiter.timer) clearTimeout(waiter.timer);
      waiter.reject(signal);
    }
    this.queue = [];
    this.head = 0;
  }

  private settle(waiter: Waiter): void {
    if (waiter.timer) clearTimeout(waiter.timer);
    const i = this.waiters.indexOf(waiter);
    if (i >= 0) this.waiters.splice(i, 1);
  }

  private take(match: Matcher | undefined): { ok: true; msg: unknown } | { ok: false } {
    if (this.head === this.queue.length) return { ok: false };
    if (!match) {
      const msg = this.queue[this.head];
      this.queue[this.head++] = undefined;
      this.compact();
      return { ok: true, msg };
    }
    for (let i = this.head; i < this.queue.length; i++) {
      const msg = this.queue[i];
      if (match(msg)) {
        if (i === this.head) {
          this.queue[this.head++] = undefined;
          this.compact();
        } else {
          this.queue.splice(i, 1);
        }
        return { ok: true, msg };
      }
    }
    return { ok: false };
  }

  private compact(): void {
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  private timeoutError(timeoutMs: number, describeSelf: () => string): ReceiveTimeout {
    const waiting = this.size;
    return new ReceiveTimeout(
      `receive in ${describeSelf()} timed out after ${timeoutMs} ms with no matching message` +
        (waiting > 0 ? ` (${waiting} other message${waiting === 1 ? '' : 's'} in the mailbox)` : ' (the mailbox is empty)'),
    );
  }
}

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

export class Mailbox {
  // Messages live in `queue` from index `head` on; taking the oldest is O(1).
  private queue: unknown[] = [];
  private head = 0;
  private waiter: Waiter | undefined;
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
    const waiter = this.waiter;
    if (waiter) {
      let matched = true;
      if (waiter.match) {
        try {
          matched = waiter.match(msg);
        } catch (err) {
          this.settle(waiter);
          this.queue.push(msg);
          waiter.reject(err as Error);
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

  /** Takes the oldest message that `match` accepts, waiting up to `timeoutMs` (Infinity by default). */
  receive(match: Matcher | undefined, timeoutMs: number, describeSelf: () => string): Promise<unknown> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    if (this.waiter) return Promise.reject(new Error('receive called while this process is already receiving'));
    const found = this.take(match);
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
      this.waiter = waiter;
    });
  }

  /** Ends the mailbox: a pending receive rejects with the exit, later ones too. */
  close(signal: ExitSignal): void {
    this.closedWith = signal;
    const waiter = this.waiter;
    if (waiter) {
      this.settle(waiter);
      waiter.reject(signal);
    }
    this.queue = [];
    this.head = 0;
  }

  private settle(waiter: Waiter): void {
    if (waiter.timer) clearTimeout(waiter.timer);
    if (this.waiter === waiter) this.waiter = undefined;
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

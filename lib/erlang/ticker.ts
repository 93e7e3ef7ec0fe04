// Liveness of a connection, as Erlang's net_kernel ticks: every quarter of the tick
// time, a side that has sent nothing since the last look sends a tick (a packet of
// length 0), and a side that has received nothing for four looks in a row (so for
// between three quarters of the tick time and the whole of it) takes the peer for
// dead. Erlang's default tick time is 60 s (net_ticktime); each side uses its own.

/** Erlang's intensity: how many looks per tick time. */
const LOOKS = 4;

export interface TickerHooks {
  /** Nothing was sent since the last look: send a tick. */
  tick(): void;
  /** Nothing arrived for a whole tick time. */
  timeout(silentMs: number): void;
}

export class Ticker {
  private readonly timer: NodeJS.Timeout;
  private heard = false;
  private spoke = false;
  private silentLooks = 0;

  constructor(tickTimeMs: number, hooks: TickerHooks) {
    const every = Math.max(1, Math.floor(tickTimeMs / LOOKS));
    this.timer = setInterval(() => {
      if (this.heard) this.silentLooks = 0;
      else if (++this.silentLooks >= LOOKS) {
        this.stop();
        hooks.timeout(this.silentLooks * every);
        return;
      }
      this.heard = false;
      if (!this.spoke) hooks.tick();
      this.spoke = false;
    }, every);
    this.timer.unref();
  }

  /** Something (a frame or a tick) arrived from the peer. */
  received(): void {
    this.heard = true;
  }

  /** Something was written to the peer. */
  sent(): void {
    this.spoke = true;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

// A node's registration with the port mapper, for as long as the node lives.
// If the port mapper goes away (it was stopped, killed or crashed), the node
// says so and registers again as soon as it can, starting a port mapper itself
// if none comes back: a restarted port mapper finds every running node again.
import { log } from '../logger.ts';
import { EpmdClient, RegistrationRefused } from './client.ts';

export interface RegistrationOptions {
  /** The port mapper's port. */
  readonly port: number;
  /** The node's name before the `@`. */
  readonly alive: string;
  /** The port the node listens on. */
  readonly nodePort: number;
  /** Addresses the port mapper should listen on too, for other hosts. */
  readonly expose: string[];
}

const FIRST_RETRY_MS = 200;
const MAX_RETRY_MS = 2_000;
/**
 * How long a starting node keeps trying when the port mapper goes away under it. A port mapper
 * exits once no node has been registered for its idle time; a node that reaches it at that moment
 * sees its connection reset or closed, and registers with the next one (which it starts).
 */
const START_PATIENCE_MS = 5_000;

export class Registration {
  private client: EpmdClient | undefined;
  private readonly options: RegistrationOptions;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;

  private constructor(options: RegistrationOptions, client: EpmdClient) {
    this.options = options;
    this.adopt(client);
  }

  /** Registers the node, starting a port mapper if none runs; throws if the name is taken or it cannot. */
  static async start(options: RegistrationOptions): Promise<Registration> {
    const giveUpAt = Date.now() + START_PATIENCE_MS;
    for (let pause = 20; ; pause = Math.min(pause * 2, 250)) {
      let client: EpmdClient | undefined;
      try {
        client = await EpmdClient.connect(options.port, { autostart: true });
        await client.register(options.alive, options.nodePort, options.expose);
        return new Registration(options, client);
      } catch (err) {
        void client?.close();
        if (err instanceof RegistrationRefused || Date.now() + pause > giveUpAt) throw err;
      }
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }

  /** The port of a node on this host, or undefined if no node of that name is registered. */
  async lookup(alive: string): Promise<number | undefined> {
    if (this.client) return this.client.lookup(alive);
    // Between port mappers: ask whichever answers now (none: nobody can be found).
    return EpmdClient.ask(this.options.port, '127.0.0.1', (c) => c.lookup(alive));
  }

  /** Gives the name up; resolves once the port mapper has let it go (so it can be taken again at once). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    await client?.unregister().catch(() => undefined);
    await client?.close();
  }

  private adopt(client: EpmdClient): void {
    this.client = client;
    client.onLost = () => {
      if (this.stopped || this.client !== client) return;
      this.client = undefined;
      log.warning(`lost the port mapper on port ${this.options.port}: other nodes cannot find this one until it is back; registering again as soon as it is`);
      this.schedule(FIRST_RETRY_MS, false);
    };
  }

  private schedule(delayMs: number, complained: boolean): void {
    this.retry = setTimeout(() => void this.again(delayMs, complained), delayMs);
    this.retry.unref();
  }

  private async again(delayMs: number, complained: boolean): Promise<void> {
    if (this.stopped) return;
    let client: EpmdClient | undefined;
    try {
      client = await EpmdClient.connect(this.options.port, { autostart: true });
      await client.register(this.options.alive, this.options.nodePort, this.options.expose);
    } catch (err) {
      client?.close();
      if (this.stopped) return;
      // Say once why it keeps failing (a name taken meanwhile needs a person), then keep trying quietly.
      if (!complained) log.error(`cannot register with the port mapper again: ${(err as Error).message}; still trying`);
      this.schedule(Math.min(delayMs * 2, MAX_RETRY_MS), true);
      return;
    }
    if (this.stopped) {
      client.close();
      return;
    }
    this.adopt(client);
    log.warning(`the port mapper is back: ${this.options.alive} is registered again`);
  }
}

// Erlang's supervisor, one_for_one: it starts its children linked to itself,
// restarts a child that dies (under the same registered name, since the child's
// start function registers it), and gives up when children die more often than
// the restart intensity allows (maxRestarts within maxSeconds).
import { GenServer, type GenServerModule } from './genServer.ts';
import { log } from './logger.ts';
import { exit, flag, monitor, receive, self } from './process/index.ts';
import { formatReason, isDown, isExit, samePid, sameRef, type Pid } from './terms.ts';

export interface ChildSpec {
  /** The child's name within the supervisor. */
  readonly id: string;
  /** Starts the child linked to the caller (the supervisor), e.g. `() => GenServer.startLink(Counter, 0, { name: 'counter' })`. */
  readonly start: () => Promise<Pid>;
  /** permanent: always restarted; transient: only after an abnormal exit; temporary: never. Default permanent. */
  readonly restart?: 'permanent' | 'transient' | 'temporary';
}

export interface SupervisorOptions {
  readonly strategy?: 'one_for_one';
  /** At most this many restarts... */
  readonly maxRestarts?: number;
  /** ...within this many seconds; one more and the supervisor exits. Defaults 3 and 5, as in OTP. */
  readonly maxSeconds?: number;
  /** Register the supervisor under this name. */
  readonly name?: string;
}

/** The reason a supervisor exits with when its children crash too often. */
export const MAX_RESTART_INTENSITY = { shutdown: 'reached_max_restart_intensity' } as const;

interface Child {
  spec: ChildSpec;
  pid: Pid | undefined;
}

interface State {
  children: Child[];
  restarts: number[];
  maxRestarts: number;
  maxSeconds: number;
  label: string;
}

function isNormal(reason: unknown): boolean {
  return reason === 'normal' || reason === 'shutdown' || (typeof reason === 'object' && reason !== null && 'shutdown' in reason);
}

async function startChild(child: Child): Promise<void> {
  child.pid = await child.spec.start();
}

async function stopChild(pid: Pid): Promise<void> {
  const ref = monitor(pid);
  exit(pid, 'shutdown');
  try {
    await receive((m) => isDown(m) && sameRef(m.ref, ref), 5000);
  } catch {
    exit(pid, 'kill'); // did not stop in time: brutal kill, as OTP does after the shutdown timeout
  }
}

const SupervisorServer: GenServerModule<State, { specs: ChildSpec[]; options: SupervisorOptions }> = {
  name: 'Supervisor',
  async init({ specs, options }) {
    flag('trapExit', true);
    const state: State = {
      children: specs.map((spec) => ({ spec, pid: undefined })),
      restarts: [],
      maxRestarts: options.maxRestarts ?? 3,
      maxSeconds: options.maxSeconds ?? 5,
      label: options.name ? `supervisor ${options.name}` : `supervisor ${self().toString()}`,
    };
    for (const child of state.children) {
      try {
        await startChild(child);
      } catch (err) {
        for (const started of state.children) if (started.pid) await stopChild(started.pid);
        throw new Error(`child ${child.spec.id} failed to start: ${formatReason(err)}`);
      }
    }
    return state;
  },
  handleCall(request, _from, state) {
    if (request === 'whichChildren') {
      return { reply: state.children.map((c) => ({ id: c.spec.id, pid: c.pid })), state };
    }
    return { reply: { error: 'unknown request' }, state };
  },
  async handleInfo(msg, state) {
    if (!isExit(msg)) return { noreply: true, state };
    // The pid of the child as started: the same node and number from another incarnation is someone else.
    const child = state.children.find((c) => samePid(c.pid, msg.from));
    if (!child) return { noreply: true, state };
    child.pid = undefined;
    const restart = child.spec.restart ?? 'permanent';
    if (restart === 'temporary' || (restart === 'transient' && isNormal(msg.reason))) return { noreply: true, state };
    const now = Date.now();
    state.restarts = state.restarts.filter((t) => now - t < state.maxSeconds * 1000);
    state.restarts.push(now);
    if (state.restarts.length > state.maxRestarts) {
      log.error(
        `${state.label} reached its maximum restart intensity (${state.maxRestarts} restarts in ${state.maxSeconds} s); ` +
          `last exit of ${child.spec.id}: ${formatReason(msg.reason)}; shutting down`,
      );
      return { stop: MAX_RESTART_INTENSITY, state };
    }
    log.info(`${state.label} restarting ${child.spec.id} after it exited: ${formatReason(msg.reason)}`);
    try {
      await startChild(child);
    } catch (err) {
      log.error(`${state.label} could not restart ${child.spec.id}: ${formatReason(err)}`);
      // The failed start counts as a restart: go round again, until the intensity says stop.
      return SupervisorServer.handleInfo!({ type: 'EXIT', from: msg.from, reason: err }, state);
    }
    return { noreply: true, state };
  },
  async terminate(_reason, state) {
    for (const child of [...state.children].reverse()) if (child.pid) await stopChild(child.pid);
  },
};

export const Supervisor = {
  /** Starts a supervisor (linked to the caller) and its children in order; resolves with its pid. */
  startLink(children: ChildSpec[], options: SupervisorOptions = {}): Promise<Pid> {
    if ((options.strategy ?? 'one_for_one') !== 'one_for_one') throw new Error(`Supervisor: only the one_for_one strategy exists, not ${options.strategy}`);
    return GenServer.startLink(SupervisorServer, { specs: children, options }, { ...(options.name ? { name: options.name } : {}), timeout: 30_000 });
  },

  /** Like startLink, but not linked to the caller. */
  start(children: ChildSpec[], options: SupervisorOptions = {}): Promise<Pid> {
    return GenServer.start(SupervisorServer, { specs: children, options }, { ...(options.name ? { name: options.name } : {}), timeout: 30_000 });
  },

  /** Each child's id and current pid (undefined while it is not running). */
  whichChildren(supervisor: Pid | string): Promise<Array<{ id: string; pid: Pid | undefined }>> {
    return GenServer.call(supervisor, 'whichChildren');
  },

  stop(supervisor: Pid | string): Promise<void> {
    return GenServer.stop(supervisor, 'shutdown');
  },
};

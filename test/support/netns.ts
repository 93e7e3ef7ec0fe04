// Hosts for tests that need a real network between nodes: Linux network
// namespaces joined by a veth pair, made and removed by the test itself. Needs
// root and iproute2; `hostsAvailable()` says whether this machine has them.
import { execFileSync } from 'node:child_process';
import { userInfo } from 'node:os';

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });

/** Why namespaces cannot be made here, or undefined if they can. */
export function hostsUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'network namespaces are Linux only';
  if (userInfo().uid !== 0) return 'making network namespaces needs root';
  const probe = `dsprobe${process.pid}`;
  try {
    ip('netns', 'add', probe);
    ip('netns', 'del', probe);
    return undefined;
  } catch (err) {
    return `ip netns does not work here (${(err as Error).message.split(/\r?\n/)[0]})`;
  }
}

export interface TwoHosts {
  readonly a: { readonly ns: string; readonly address: string; readonly wrapper: string[] };
  readonly b: { readonly ns: string; readonly address: string; readonly wrapper: string[] };
  /** Drops every packet between the two hosts (a blackhole route on each side); the link stays up. */
  cut(): void;
  /** Lets packets through again. */
  mend(): void;
  remove(): void;
}

/** Two hosts, 10.200.0.1 and 10.200.0.2, joined by a veth pair. */
export function makeTwoHosts(tag: string): TwoHosts {
  const nsA = `ds${tag}a`;
  const nsB = `ds${tag}b`;
  const vA = `v${tag}a`.slice(0, 15);
  const vB = `v${tag}b`.slice(0, 15);
  const a = { ns: nsA, address: '10.200.0.1', wrapper: ['ip', 'netns', 'exec', nsA] };
  const b = { ns: nsB, address: '10.200.0.2', wrapper: ['ip', 'netns', 'exec', nsB] };
  const remove = () => {
    for (const ns of [nsA, nsB]) {
      try {
        ip('netns', 'del', ns);
      } catch {
        // not there
      }
    }
  };
  remove();
  ip('netns', 'add', nsA);
  ip('netns', 'add', nsB);
  ip('link', 'add', vA, 'type', 'veth', 'peer', 'name', vB);
  ip('link', 'set', vA, 'netns', nsA);
  ip('link', 'set', vB, 'netns', nsB);
  ip('-n', nsA, 'addr', 'add', `${a.address}/24`, 'dev', vA);
  ip('-n', nsB, 'addr', 'add', `${b.address}/24`, 'dev', vB);
  for (const [ns, dev] of [[nsA, vA], [nsB, vB]] as const) {
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    ip('-n', ns, 'link', 'set', dev, 'up');
  }
  return {
    a,
    b,
    cut() {
      ip('-n', nsA, 'route', 'add', 'blackhole', `${b.address}/32`);
      ip('-n', nsB, 'route', 'add', 'blackhole', `${a.address}/32`);
    },
    mend() {
      ip('-n', nsA, 'route', 'del', 'blackhole', `${b.address}/32`);
      ip('-n', nsB, 'route', 'del', 'blackhole', `${a.address}/32`);
    },
    remove,
  };
}

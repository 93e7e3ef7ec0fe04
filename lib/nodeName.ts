// Node names as Erlang has them: `--sname chris` is `chris@<short hostname>`,
// `--name chris@127.0.0.1` is taken as written. The host part says where the
// node's port mapper and listener are.
import { hostname, networkInterfaces } from 'node:os';
import { isIP } from 'node:net';
import { nodeShortName } from './epmd/protocol.ts';
import type { NodeName } from './terms.ts';

export interface ParsedName {
  readonly full: NodeName;
  readonly alive: string;
  readonly host: string;
}

export function shortHostname(): string {
  return hostname().split('.')[0] || 'localhost';
}

function checkAlive(alive: string, original: string): void {
  const ok = nodeShortName.safeParse(alive);
  if (!ok.success) throw new Error(`invalid node name ${JSON.stringify(original)}: the part before "@" must be letters, digits, "_" or "-"`);
}

function split(text: string, defaultHost: () => string): ParsedName {
  const [alive = '', host, ...rest] = text.split('@');
  checkAlive(alive, text);
  if (rest.length > 0 || host === '') throw new Error(`invalid node name ${JSON.stringify(text)}: a node name looks like name@host`);
  const h = host ?? defaultHost();
  return { full: `${alive}@${h}`, alive, host: h };
}

/** A short name: `chris` -> `chris@<short hostname>` (a given `@host` is kept). */
export function fromShortName(sname: string): ParsedName {
  return split(sname, shortHostname);
}

/** A long name: `chris@127.0.0.1`; without a host, this machine's full hostname. */
export function fromLongName(name: string): ParsedName {
  return split(name, hostname);
}

/** Splits any full node name; throws a clear error for something that is not one. */
export function parseNodeName(node: string): ParsedName {
  if (typeof node !== 'string' || !node.includes('@')) {
    throw new Error(`invalid node name ${JSON.stringify(node)}: a node name looks like name@host`);
  }
  return fromLongName(node);
}

/**
 * The part of a node name before the `@` (`chris` of `chris@host`): what the port mapper
 * registers, and a node's short label. Never throws: a text without `@` is its own alive part.
 */
export function aliveOf(node: NodeName): string {
  const at = node.indexOf('@');
  return at < 0 ? node : node.slice(0, at);
}

/** The host part of a node name (`host` of `chris@host`); throws a clear error for something that is not one. */
export function hostOf(node: NodeName): string {
  return parseNodeName(node).host;
}

/** Whether `host` means this machine, so its port mapper is the local one. */
export function isThisHost(host: string): boolean {
  return host === shortHostname() || host === hostname() || host === 'localhost' || host === '127.0.0.1' || host === '::1' ||
    host.startsWith('127.');
}

/** The address to dial for `host`: loopback for this machine, else the host as written. */
export function addressOf(host: string): string {
  if (isThisHost(host)) return '127.0.0.1';
  return isIP(host) === 6 ? `[${host}]` : host;
}

/**
 * The address a node named for `host` listens on: loopback for this machine (the
 * one-laptop case, unreachable from the network), the address itself for an IP
 * (`chris@10.0.0.5`), every interface for another host name.
 */
export function listenAddressFor(host: string): string {
  if (isThisHost(host)) return '127.0.0.1';
  return isIP(host) !== 0 ? host : '0.0.0.0';
}

/**
 * The addresses the port mapper must listen on (besides loopback) so that other
 * hosts can look up a node named for `host`: none for this machine, the address
 * for an IP, every external address of this machine for another host name.
 */
export function exposedAddressesFor(host: string): string[] {
  if (isThisHost(host)) return [];
  if (isIP(host) !== 0) return [host];
  const addresses: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      // Link-local IPv6 addresses need a zone to be dialled; nobody names a node after one.
      if (!a.internal && !(a.family === 'IPv6' && a.address.toLowerCase().startsWith('fe80:'))) addresses.push(a.address);
    }
  }
  return addresses;
}

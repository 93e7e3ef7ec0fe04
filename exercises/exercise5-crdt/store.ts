// Where the shortener keeps what must outlive a node: the links, and the
// cluster's canonical membership. The kit's storage runs outside the node mesh,
// so every node reaches it, on both sides of a partition.
import { Storage } from '../../lib/index.ts';

let client: Storage | undefined;

/** This node's storage client (DISTSYS_STORAGE_URL, which the harness sets for the nodes it starts). */
export function store(): Storage {
  client ??= Storage.connect();
  return client;
}

/** The key of the link with short code `code`; its value is the url. */
export const linkKey = (code: string): string => `shortener:link:${code}`;

/** The key of the canonical membership: a JSON array of node names. */
export const MEMBERSHIP_KEY = 'shortener:membership';

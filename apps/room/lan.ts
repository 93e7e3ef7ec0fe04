// The room is for the room: requests from the local network only. An address
// is local when it is this machine's (loopback), private (RFC 1918, IPv6's
// unique local addresses), link-local, or in the shared range that phone
// hotspots and overlay networks such as Tailscale hand out (100.64.0.0/10).
import { isIP } from 'node:net';

function ipv4Local(address: string): boolean {
  const [a, b] = address.split('.').map(Number) as [number, number];
  return a === 127 || a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254) || (a === 100 && b >= 64 && b <= 127);
}

/** Whether a request from `address` (as a socket names it) comes from the local network. */
export function isLanAddress(address: string | undefined): boolean {
  if (!address) return false;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return ipv4Local(mapped);
  if (isIP(address) === 4) return ipv4Local(address);
  if (isIP(address) !== 6) return false;
  const lower = address.toLowerCase();
  return lower === '::1' || /^f[cd][0-9a-f]{2}:/.test(lower) || /^fe[89ab][0-9a-f]:/.test(lower);
}

/** An address as it goes in a URL's host: IPv6 in brackets. */
export const urlHost = (address: string): string => (isIP(address) === 6 ? `[${address}]` : address);

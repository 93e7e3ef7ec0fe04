// The room is for the room: requests from the local network only. An address
// is local when it is on the same subnet as one of this machine's interfaces
// (a university's Wi-Fi may hand out public addresses), this machine's own
// (loopback), private (RFC 1918, IPv6's unique local addresses), link-local,
// or in the shared range that phone hotspots and overlay networks such as
// Tailscale hand out (100.64.0.0/10).
import { isIP } from 'node:net';
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';

type Interfaces = NodeJS.Dict<NetworkInterfaceInfo[]>;

const ipv4Number = (address: string): number => address.split('.').reduce((n, part) => n * 256 + Number(part), 0);

function ipv4Private(address: string): boolean {
  const [a, b] = address.split('.').map(Number) as [number, number];
  return a === 127 || a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254) || (a === 100 && b >= 64 && b <= 127);
}

/** The 128 bits of an IPv6 address, as a bigint. */
function ipv6Number(address: string): bigint {
  const [head = '', tail = ''] = address.toLowerCase().split('%')[0]?.split('::') ?? [];
  const parts = (s: string) => (s ? s.split(':') : []);
  const missing = 8 - parts(head).length - parts(tail).length;
  const groups = [...parts(head), ...Array<string>(address.includes('::') ? missing : 0).fill('0'), ...parts(tail)];
  return groups.reduce((n, g) => (n << 16n) + BigInt(parseInt(g || '0', 16)), 0n);
}

/** Whether `address` is on the subnet of one of `interfaces`. */
function onOwnSubnet(address: string, family: 4 | 6, interfaces: Interfaces): boolean {
  for (const info of Object.values(interfaces).flat()) {
    if (!info?.cidr) continue;
    const bits = Number(info.cidr.split('/')[1]);
    if (family === 4 && info.family === 'IPv4') {
      const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
      if (((ipv4Number(address) & mask) >>> 0) === ((ipv4Number(info.address) & mask) >>> 0)) return true;
    }
    if (family === 6 && info.family === 'IPv6') {
      const shift = BigInt(128 - bits);
      if (ipv6Number(address) >> shift === ipv6Number(info.address) >> shift) return true;
    }
  }
  return false;
}

/** Whether a request from `address` (as a socket names it) comes from the local network. */
export function isLanAddress(address: string | undefined, interfaces: Interfaces = networkInterfaces()): boolean {
  if (!address) return false;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  const v4 = mapped ?? (isIP(address) === 4 ? address : undefined);
  if (v4) return ipv4Private(v4) || onOwnSubnet(v4, 4, interfaces);
  if (isIP(address) !== 6) return false;
  const lower = address.toLowerCase();
  return lower === '::1' || /^f[cd][0-9a-f]{2}:/.test(lower) || /^fe[89ab][0-9a-f]:/.test(lower) || onOwnSubnet(lower, 6, interfaces);
}

/** An address as it goes in a URL's host: IPv6 in brackets. */
export const urlHost = (address: string): string => (isIP(address) === 6 ? `[${address}]` : address);

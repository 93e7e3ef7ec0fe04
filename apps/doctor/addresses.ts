// This machine's addresses on the networks it is on, as a neighbour would use
// them in `--name you@<address>`, best guess first: the Wi-Fi or Ethernet
// address before those of VPNs and of virtual networks (Docker, WSL, virtual
// machines), which other laptops in the room cannot reach.
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';

export interface RoomAddress {
  /** The interface's name: en0, wlan0, Wi-Fi, utun4, docker0, … */
  readonly iface: string;
  readonly address: string;
  /** Likely a VPN's address: the room's traffic may not go where it should. */
  readonly vpn: boolean;
  /** Likely a virtual network inside this machine (containers, virtual machines): no neighbour reaches it. */
  readonly virtual: boolean;
}

const VPN = /vpn|tailscale|wireguard|^wg\d|utun|^tun|^tap|^ppp|ipsec|zerotier|^zt|nordlynx|anyconnect|globalprotect|forti|cscotun/i;
const VIRTUAL = /docker|^br-|^veth|virbr|vboxnet|vmnet|vethernet|^lxc|^lxd|^cni|podman|bridge|hyper-v|virtualbox|vmware|^awdl|^llw/i;
/** Tailscale and other overlay networks hand out carrier-grade NAT addresses, 100.64.0.0/10. */
const CGNAT = /^100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\./;

/**
 * The addresses a neighbour could dial, best first: IPv4 before IPv6 (link-local
 * IPv6 needs a zone nobody types), real interfaces before VPNs before virtual ones.
 */
export function roomAddresses(interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces()): RoomAddress[] {
  const found: RoomAddress[] = [];
  for (const [iface, list] of Object.entries(interfaces)) {
    for (const info of list ?? []) {
      if (info.internal) continue;
      if (info.family === 'IPv6' && info.address.toLowerCase().startsWith('fe80:')) continue;
      found.push({ iface, address: info.address, vpn: VPN.test(iface) || CGNAT.test(info.address), virtual: VIRTUAL.test(iface) });
    }
  }
  const rank = (a: RoomAddress) => (a.address.includes(':') ? 10 : 0) + (a.virtual ? 2 : a.vpn ? 1 : 0);
  return found.map((a, i) => ({ a, i })).sort((x, y) => rank(x.a) - rank(y.a) || x.i - y.i).map(({ a }) => a);
}

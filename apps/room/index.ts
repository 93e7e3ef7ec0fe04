// The room view: `openRoom` keeps the roster of attendees' results in memory
// and serves the page for the projector on the room's network, with the
// address (token included) that attendees' test runs post to.
import { roomAddresses } from '../doctor/addresses.ts';
import { Roster, type RosterOptions } from './roster.ts';
import { startRoomServer } from './server.ts';

export { Roster } from './roster.ts';
export type { RoomView, ProblemView, AttendeeView } from './roster.ts';

export interface Room {
  /** The page's address on the room's network (127.0.0.1 when the machine has none), token included. */
  readonly url: string;
  /** The same on each address the room answers on. */
  readonly urls: string[];
  readonly port: number;
  readonly roster: Roster;
  close(): Promise<void>;
}

export interface OpenRoomOptions extends RosterOptions {
  /** 0 (default): a free port. */
  readonly port?: number;
  /** The address to listen on (default: all of this machine's). */
  readonly host?: string;
  /** Keep the room's address across restarts by giving its token. */
  readonly token?: string;
  /** This machine's addresses on the network, best first (default: the ones the doctor offers neighbours). */
  readonly addresses?: () => string[];
  readonly onRefused?: (why: string) => void;
}

export async function openRoom(options: OpenRoomOptions = {}): Promise<Room> {
  const roster = new Roster(options);
  const server = await startRoomServer({
    roster,
    port: options.port ?? 0,
    addresses: options.addresses ?? (() => roomAddresses().filter((a) => !a.virtual).map((a) => a.address)),
    ...(options.host !== undefined ? { host: options.host } : {}),
    ...(options.token !== undefined ? { token: options.token } : {}),
    ...(options.onRefused ? { onRefused: options.onRefused } : {}),
  });
  return { url: server.url, urls: server.urls, port: server.port, roster, close: () => server.close() };
}

// Hanging up on an HTTP client whose request is refused (too large, a web page,
// no token) without losing the answer. Closing at once while the client is
// still sending makes the kernel answer its next bytes with a reset, and a reset
// can overtake the answer on its way: the client sees "connection reset"
// instead of 413. So: send the answer, close our side, drop whatever the
// client still sends for a moment, then close for good (what web servers call
// a lingering close). The linger is long enough for a client on a loaded
// laptop to be scheduled and read the answer (a reset that comes first throws
// away what it has not read yet), short enough that a client that never stops
// sending holds the socket for seconds, not forever.
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Closes `req`'s connection once `res` has been sent, lingering up to `lingerMs` to read and drop the rest. */
export function hangUpAfter(req: IncomingMessage, res: ServerResponse, lingerMs = 5_000): void {
  res.once('finish', () => {
    const socket = req.socket;
    socket.end();
    req.resume();
    const timer = setTimeout(() => socket.destroy(), lingerMs);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
  });
}

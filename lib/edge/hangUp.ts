// Hanging up on an HTTP client whose request is refused (too large, a web page,
// no token) without losing the answer. Closing at once while the client is
// still sending makes the kernel answer its next bytes with a reset, and a reset
// can overtake the answer: the client sees "connection reset" instead of 413.
// So: send the answer, close our side, drop whatever the client still sends for
// a moment, then close for good (what web servers call a lingering close).
//
// Node's HTTP server closes a `Connection: close` exchange itself, once the
// answer is out, with the socket's destroySoon(), which destroys the socket as
// soon as our side is closed: exactly the early close above. So for this one
// socket, destroySoon becomes the lingering close. The linger is long enough
// for a client on a loaded laptop to be scheduled and read the answer, short
// enough that a client that never stops sending holds the socket for seconds.
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Closes `req`'s connection once `res` has been sent, reading and dropping the rest of the request for up to `lingerMs`. */
export function hangUpAfter(req: IncomingMessage, res: ServerResponse, lingerMs = 5_000): void {
  const socket = req.socket;
  const linger = () => {
    socket.end();
    const timer = setTimeout(() => socket.destroy(), lingerMs);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
  };
  socket.destroySoon = linger; // what the server calls once a `Connection: close` answer is out
  req.resume(); // the rest of the body, read and dropped
  // An answer without `Connection: close` leaves the socket open: close it here.
  res.once('finish', () => {
    if (!socket.writableEnded) linger();
  });
}

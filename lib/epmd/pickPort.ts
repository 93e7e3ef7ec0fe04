// A port for a port mapper that is started later (a test file's, the doctor's, the fuzz
// campaign's, the bench's own). It is picked from below the systems' ephemeral ranges
// (Linux 32768-60999, macOS and Windows 49152-65535), where neither a `listen(0)` nor an
// outgoing connection of any process ever lands: a port picked here and let go stays free
// until the port mapper binds it, however many nodes start on free ports meanwhile. (A port
// from `listen(0)`, let go, was taken in that gap one run in twenty on a busy machine.)
import { createServer } from 'node:net';

const RANGE = { from: 20_000, to: 32_000 };

/** A port in 20000-31999 that nothing listens on now, on 127.0.0.1. */
export async function pickPortMapperPort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = RANGE.from + Math.floor(Math.random() * (RANGE.to - RANGE.from));
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port between ${RANGE.from} and ${RANGE.to} after 100 tries`);
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

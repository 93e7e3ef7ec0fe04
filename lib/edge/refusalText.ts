// The other side of a full door (guard.ts): a client of one of the kit's
// listeners that is turned away before its WebSocket upgrade gets an HTTP 503
// whose body says why. This reads that reason, as network text: bounded in
// size and time, control characters escaped.
import type { IncomingMessage } from 'node:http';
import { untrusted } from '../logger.ts';

/** The first line of a refusal's body (empty if it sends none within a second). */
export function refusalText(res: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const done = () => {
      clearTimeout(timer);
      res.destroy();
      resolve(untrusted(text.split(/\r?\n/)[0] ?? '', 200));
    };
    const timer = setTimeout(done, 1_000);
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      text += chunk;
      if (text.length > 1_000) done();
    });
    res.once('end', done);
    res.once('error', done);
  });
}

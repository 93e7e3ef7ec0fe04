// `distsys shortener`: the instructor's demo of stages 4 and 5. The nodes serve
// the HTTP API; a link created on one resolves on another; Ctrl+C (SIGINT) stops
// every process the demo started, the port mapper included (it idles out).
//
// Every step has its own bound and says, when it runs out, which step it was and
// what the demo printed and logged: the whole test's timeout only backs them up.
import { describe, expect, it } from 'vitest';
import { execa, type ResultPromise } from 'execa';
import { fileURLToPath } from 'node:url';
import { request as httpRequest } from 'node:http';
import { described, descendants, running } from '../support/processTree.ts';
import { waitFor } from '../support/wait.ts';

const BIN = fileURLToPath(new URL('../../bin/distsys.js', import.meta.url));
/** Starting the demo (a storage, the nodes, their mesh) may take this long on a busy laptop. */
const READY_MS = 30_000;
/** A request to a node that is up gets its answer within this time, or the test says so. */
const ANSWER_MS = 5_000;
/** After SIGINT, the demo and everything it started are gone within this time. */
const STOP_MS = 15_000;
/** The test's own bound: the sum of the steps' bounds, with room to spare. */
const TEST_MS = READY_MS + 4 * ANSWER_MS + 10_000 + 2 * STOP_MS;

interface Answer {
  status: number;
  location: string | undefined;
  body: string;
}

function call(port: number, method: string, path: string, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, agent: false, headers: body ? { 'content-type': 'application/x-www-form-urlencoded' } : {} }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, body: text }));
    });
    req.setTimeout(ANSWER_MS, () => req.destroy(new Error(`${method} ${path} on port ${port} got no answer within ${ANSWER_MS} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** The demo, running: what it printed on stdout and stderr so far, and how long since it started. */
class Demo {
  readonly process: ResultPromise;
  printed = '';
  logged = '';
  /** Every process seen below the demo so far. */
  private readonly seen = new Set<number>();
  private readonly started = Date.now();

  constructor(args: string[]) {
    this.process = execa(process.execPath, [BIN, 'shortener', ...args], {
      buffer: false,
      reject: false,
      stdin: 'ignore',
      env: { DISTSYS_STORAGE_URL: '', DISTSYS_EPMD_IDLE_MS: '300', DISTSYS_LOG_LEVEL: 'error' },
    });
    this.process.stdout?.setEncoding('utf8');
    this.process.stdout?.on('data', (chunk: string) => (this.printed += chunk));
    // Read stderr too: a pipe nobody reads fills up, and then the demo stalls on its next write.
    this.process.stderr?.setEncoding('utf8');
    this.process.stderr?.on('data', (chunk: string) => (this.logged += chunk));
  }

  /** For failure messages: when, and what the demo said. */
  said(step: string): string {
    return `${step}, ${Date.now() - this.started} ms after the demo started; it printed:\n${this.printed}\nand logged:\n${this.logged || '(nothing)'}`;
  }

  /** The HTTP ports of its nodes, once it says it is ready. */
  async ready(nodes: number): Promise<number[]> {
    await waitFor(() => expect(this.printed, this.said(`the demo did not say "shortener ready" within ${READY_MS} ms`)).toContain('shortener ready'), READY_MS, 100);
    const ports = [...this.printed.matchAll(/^ {2}shortener\d@\S+\s+http:\/\/localhost:(\d+)$/gm)].map((m) => Number(m[1]));
    expect(ports, this.said('the demo printed the wrong number of node addresses')).toHaveLength(nodes);
    expect(new Set(ports).size, this.said('two nodes printed the same port')).toBe(nodes);
    return ports;
  }

  /** The demo and every process below it now (remembered, to check they are all gone in the end). */
  tree(): number[] {
    const now = [this.process.pid as number, ...descendants(this.process.pid as number)];
    for (const pid of now) this.seen.add(pid);
    return now;
  }

  /** Ctrl+C: the demo exits 0 within STOP_MS, and every process it started is gone. */
  async interrupt(): Promise<void> {
    this.tree();
    const everything = [...this.seen];
    this.process.kill('SIGINT');
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      this.process.then((r) => r.exitCode),
      new Promise<'still running'>((resolve) => (timer = setTimeout(() => resolve('still running'), STOP_MS))),
    ]);
    clearTimeout(timer);
    if (outcome === 'still running') {
      const left = described(everything);
      for (const pid of everything) if (running(pid)) process.kill(pid, 'SIGKILL');
      expect.fail(this.said(`the demo had not exited ${STOP_MS} ms after SIGINT; still running:\n  ${left.join('\n  ')}\n`));
    }
    expect(outcome, this.said("the demo's exit code after SIGINT")).toBe(0);
    await waitFor(() => expect(described(everything), 'processes the demo started that still run after it exited').toEqual([]), STOP_MS, 100);
  }
}

/** Runs `steps` against a demo started with `args`, then interrupts it; a failing step is the failure reported. */
async function withDemo(args: string[], steps: (demo: Demo) => Promise<void>): Promise<void> {
  const demo = new Demo(args);
  try {
    await steps(demo);
  } catch (err) {
    await demo.interrupt().catch(() => undefined);
    throw err;
  }
  await demo.interrupt();
}

describe('distsys shortener', () => {
  it('starts three nodes on their own ports, a link made on one resolves on another, and Ctrl+C leaves nothing running', { timeout: TEST_MS }, () =>
    withDemo(['--nodes', '3', '--port', '0'], async (demo) => {
      const ports = await demo.ready(3);
      expect(demo.tree().length, 'the demo, its three nodes and its storage').toBeGreaterThanOrEqual(5);
      const created = await call(ports[0] as number, 'POST', '/', 'url=https://elixir-lang.org');
      expect(created.status, created.body).toBe(201);
      const followed = await call(ports[1] as number, 'GET', `/${created.body}`);
      expect([followed.status, followed.location, followed.body]).toEqual([302, 'https://elixir-lang.org/', 'https://elixir-lang.org/']);
    }));

  it("--stage 5 runs stage 5's shortener: a redirect on one node is counted on the other", { timeout: TEST_MS }, () =>
    withDemo(['--stage', '5', '--nodes', '2', '--port', '0'], async (demo) => {
      const ports = await demo.ready(2);
      expect(demo.printed).toContain('exercise5-crdt');
      demo.tree();
      const created = await call(ports[0] as number, 'POST', '/', 'url=https://elixir-lang.org');
      expect(created.status, created.body).toBe(201);
      expect((await call(ports[0] as number, 'GET', `/${created.body}`)).status).toBe(302);
      // The count reaches the other node by a message: poll it. Every poll must be answered,
      // even while the count is not there yet: one that is not is a failure, not a retry.
      const unanswered: string[] = [];
      const count = () => call(ports[1] as number, 'GET', `/${created.body}/aggregates`).catch((err: Error) => (unanswered.push(err.message), Promise.reject(err)));
      await waitFor(async () => expect((await count()).body).toBe('Redirects: 1\n'), 10_000, 50);
      expect(unanswered, demo.said('polls of the count that failed')).toEqual([]);
    }));
});

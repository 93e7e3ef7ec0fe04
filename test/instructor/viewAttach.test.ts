// `distsys view` attached to nodes it did not start: it finds them through the
// port mapper, shows them, partitions and heals them, and refuses to kill them
// (saying why), since it has no hold on their processes.
import { afterAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { WebSocket } from 'ws';
import { rpc } from '../../lib/index.ts';
import { AGENT } from '../../lib/cluster/agent.ts';
import type { ViewState } from '../../apps/view/index.ts';
import { COOKIE, startChild, startManager } from '../support/nodes.ts';
import { waitFor } from '../support/wait.ts';

const BIN = new URL('../../bin/distsys.js', import.meta.url).pathname;
let view: ReturnType<typeof execa> | undefined;
afterAll(async () => {
  view?.kill('SIGINT');
  await view;
});

describe('distsys view, attached', () => {
  it('shows the nodes on this host, cuts one off and heals it, and will not kill one', async () => {
    await startManager();
    const [a, b] = await Promise.all([startChild('seen'), startChild('seen')]);
    let out = '';
    view = execa(process.execPath, [BIN, 'view', '--cookie', COOKIE], { reject: false, buffer: false, stdin: 'ignore' });
    view.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    await waitFor(() => expect(out).toMatch(/open (http:\S+)/), 20_000);
    const url = new URL(/open (http:\S+)/.exec(out)?.[1] as string);
    const ws = new WebSocket(`ws://${url.host}/ws${url.search}`, { headers: { origin: `http://${url.host}` } });
    let state: ViewState | undefined;
    const done: Array<{ ok: boolean; error?: string }> = [];
    ws.on('message', (d) => {
      const m = JSON.parse(d.toString());
      if (m.type === 'state') state = m.state;
      if (m.type === 'done') done.push(m);
    });
    const shown = (node: string) => state?.nodes.find((n) => n.name === node);
    await waitFor(() => {
      expect(shown(a.name)?.status).toBe('up');
      expect(shown(b.name)?.status).toBe('up');
    }, 15_000);
    expect(state?.noLifecycle).toMatch(/did not start/);
    expect(shown(a.name)?.owned).toBe(false);

    ws.send(JSON.stringify({ id: 1, op: 'partition', node: a.name }));
    await waitFor(() => expect(shown(a.name)?.blocked).toContain(b.name), 10_000);
    expect(await rpc.call(b.name, AGENT, 'blocked')).toContain(a.name);
    ws.send(JSON.stringify({ id: 2, op: 'heal' }));
    await waitFor(() => expect(shown(a.name)?.blocked).toEqual([]), 10_000);
    await waitFor(async () => expect(await rpc.call(a.name, AGENT, 'nodes')).toContain(b.name), 10_000);

    ws.send(JSON.stringify({ id: 3, op: 'kill', node: b.name }));
    await waitFor(() => expect(done.length).toBe(3), 10_000);
    expect(done[2]).toMatchObject({ ok: false, error: expect.stringMatching(/did not start/) });
    expect(await rpc.call(b.name, AGENT, 'nodes')).toContain(a.name);
    ws.close();
  });
});

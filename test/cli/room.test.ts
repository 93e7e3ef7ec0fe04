// `distsys room`: the instructor starts it, it prints the page's address and
// what attendees set; an attendee's test results posted there show on its
// state; Ctrl+C (SIGINT) closes it and nothing of it is left running. Bad flags
// are refused in words.
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import { sendToRoom } from '../../apps/room/client.ts';
import { running } from '../support/processTree.ts';
import { waitFor } from '../support/wait.ts';

const BIN = fileURLToPath(new URL('../../bin/distsys.js', import.meta.url));
const READY_MS = 20_000;
const STOP_MS = 10_000;
const TOKEN = 'a-token-for-this-test-0123456789';

describe('distsys room', () => {
  it('prints its address and what attendees set, takes their results, and closes on Ctrl+C', async () => {
    const room = execa(process.execPath, [BIN, 'room', '--port', '0', '--token', TOKEN], { reject: false, stdin: 'ignore', buffer: false });
    let printed = '';
    room.stdout?.setEncoding('utf8');
    room.stdout?.on('data', (chunk: string) => (printed += chunk));
    room.stderr?.resume();
    try {
      const url = await waitFor(() => {
        const found = /^The room is open: (http:\/\/\S+)$/m.exec(printed)?.[1];
        expect(found, `distsys room printed:\n${printed}`).toBeDefined();
        return found as string;
      }, READY_MS, 50);
      expect(url).toMatch(new RegExp(`^http://[\\d.]+:\\d+/\\?token=${TOKEN}$`));
      expect(printed).toContain(`export DISTSYS_ROOM='${url}' DISTSYS_ROOM_NAME='<a name of their choice>'`);
      expect(printed).toContain(`npm run grade -- --room '${url}' --as '<a name>'`);
      expect(printed).toContain('no code, no paths, no user name');

      const line = await sendToRoom([{ stage: 'exercise1-connect', problem: 'warm-up', passed: 6, failed: 1, headline: 'isUp(chris) should be true' }], {}, { DISTSYS_ROOM: url, DISTSYS_ROOM_NAME: 'Ada' });
      expect(line).toMatch(/^Sent to the room at .*, as "Ada"/);
      const state = (await (await fetch(new URL(`/state?token=${TOKEN}`, url))).json()) as { attendees: Array<{ name: string; problem: string }>; problems: Array<{ stage: string }> };
      expect(state.attendees).toMatchObject([{ name: 'Ada', problem: 'warm-up' }]);
      // The room knows the kit's stages before anyone ran them.
      expect(new Set(state.problems.map((p) => p.stage))).toEqual(new Set(['exercise1-connect', 'exercise2-monitoring', 'exercise3-map-reduce', 'exercise4-link-shortener', 'exercise5-crdt']));
    } finally {
      room.kill('SIGINT');
    }
    const ended = await Promise.race([room, new Promise<undefined>((r) => setTimeout(() => r(undefined), STOP_MS).unref())]);
    expect(ended?.exitCode, 'distsys room did not exit within 10 s of Ctrl+C').toBe(0);
    expect(running(room.pid as number)).toBe(false);
  });

  it('refuses bad flags in words', async () => {
    const badPort = await execa(process.execPath, [BIN, 'room', '--port', 'nine'], { reject: false });
    expect(badPort.exitCode).toBe(2);
    expect(badPort.stderr).toContain('--port nine: not a port number (0-65535, 0 for any free port)');
    const badToken = await execa(process.execPath, [BIN, 'room', '--token', 'short'], { reject: false });
    expect(badToken.exitCode).toBe(2);
    expect(badToken.stderr).toContain('--token: a token is 16 to 100 letters, digits, - or _');
  });
});

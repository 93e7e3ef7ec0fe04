// What the doctor's child nodes boot: a process registered as `doctor_echo`
// that answers each `{ type: 'echo', from, text }` with the text, its node's
// name and the nodes it sees (its `Node.list()`), like the original workshop's
// first message to a registered process on another node.
import { Node, Process, receive, send, spawn, type Pid } from '../../lib/index.ts';

export const ECHO = 'doctor_echo';

export interface EchoRequest {
  readonly type: 'echo';
  readonly from: Pid;
  readonly text: string;
}

export interface EchoReply {
  readonly type: 'echoed';
  readonly text: string;
  readonly node: string;
  readonly sees: string[];
}

const isRequest = (m: unknown): m is EchoRequest => typeof m === 'object' && m !== null && (m as { type?: unknown }).type === 'echo';

export function start(): void {
  spawn(async () => {
    Process.register(ECHO);
    for (;;) {
      const request = await receive(isRequest);
      send(request.from, { type: 'echoed', text: request.text, node: Node.self(), sees: Node.list() } satisfies EchoReply);
    }
  });
}

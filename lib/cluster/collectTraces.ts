// The manager's side of traces: switch recording on everywhere, then gather
// every node's events into one file of JSON lines, in one order.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { rpc } from '../rpc.ts';
import { AGENT } from './agent.ts';
import { linkPolicy } from './linkPolicy.ts';
import { LocalCluster } from './localCluster.ts';
import { mergeTraces, type TraceEvent } from './trace.ts';

/** Where trace files go (git ignores it); DISTSYS_TRACE_DIR changes it. */
export const traceDir = (): string => resolve(process.env.DISTSYS_TRACE_DIR ?? 'traces');

export const Trace = {
  /** Starts recording on the manager and on every running cluster node. */
  async start(): Promise<void> {
    linkPolicy.startTrace();
    await Promise.all(LocalCluster.nodes().map((node) => rpc.call(node, AGENT, 'startTrace')));
  },

  /** Takes every node's events recorded so far (nodes that are gone give none), merged in order. */
  async collect(): Promise<TraceEvent[]> {
    const perNode = await Promise.all(
      LocalCluster.nodes().map((node) => rpc.call<TraceEvent[]>(node, AGENT, 'takeTrace', [], 10_000).catch(() => [])),
    );
    return mergeTraces([linkPolicy.takeTrace(), ...perNode]);
  },

  /** Writes `events` (collected now unless given) to `<traceDir>/<name>.jsonl`; returns the file's path. */
  async write(name: string, collected?: TraceEvent[]): Promise<string> {
    const events = collected ?? (await Trace.collect());
    mkdirSync(traceDir(), { recursive: true });
    const file = join(traceDir(), `${name.replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 120)}.jsonl`);
    writeFileSync(file, events.map((e) => JSON.stringify(e)).join('\n') + (events.length ? '\n' : ''));
    return file;
  },
};

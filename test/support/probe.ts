// Small functions the stage tests run on cluster nodes through rpc.call, so a
// test can look inside a node without the stage's code having to help.
import { Process, type Pid } from '../../lib/index.ts';

export const PROBE = import.meta.url;

export function whereis(name: string): Pid | undefined {
  return Process.whereis(name);
}

// Booted by a demo's "terminal" nodes (demoCluster.ts): the demo steers them
// over their IPC channel rather than over distribution, so its own node never
// connects to them, and connections being transitive, never meshes nodes the
// demo wants to show apart (Node.list() is [] until they connect themselves).
// Each request `{ id, module, fun, args }` runs `fun` (a dotted path such as
// `Node.ping` is allowed) exported by `module` and gets one reply
// `{ id, ok: true, value }` or `{ id, ok: false, error }`.
import { inspect } from 'node:util';

interface Request {
  id: number;
  module: string;
  fun: string;
  args: unknown[];
}

function isRequest(m: unknown): m is Request {
  const r = m as Request;
  return typeof r === 'object' && r !== null && typeof r.id === 'number' && typeof r.module === 'string' && typeof r.fun === 'string' && Array.isArray(r.args);
}

async function run({ module, fun, args }: Request): Promise<unknown> {
  let owner: unknown = await import(module);
  let f: unknown = owner;
  for (const part of fun.split('.')) {
    owner = f;
    f = (f as Record<string, unknown> | undefined)?.[part];
  }
  if (typeof f !== 'function') throw new Error(`${module} has no function ${fun}`);
  return (f as (...a: unknown[]) => unknown).apply(owner, args);
}

/** JSON crosses the IPC channel: values that JSON cannot carry travel as the text the shell would print. */
function portable(value: unknown): unknown {
  try {
    const json = JSON.stringify(value);
    if (json !== undefined && isDeepJson(value)) return { json: JSON.parse(json) as unknown };
  } catch {
    // fall through to the printed form
  }
  return { printed: inspect(value, { depth: 4, breakLength: 100 }) };
}

function isDeepJson(value: unknown): boolean {
  if (value === null || ['string', 'boolean'].includes(typeof value)) return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(isDeepJson);
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) return Object.values(value as object).every(isDeepJson);
  return false;
}

export function start(): void {
  process.on('message', (m: unknown) => {
    if (!isRequest(m)) return;
    run(m).then(
      (value) => process.send?.({ id: m.id, ok: true, value: portable(value) }),
      (err: unknown) => process.send?.({ id: m.id, ok: false, error: err instanceof Error ? err.message : String(err) }),
    );
  });
}

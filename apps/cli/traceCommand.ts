// `distsys trace traces/<file>.jsonl [--out page.html]`: draws a trace as a
// sequence diagram in a self-contained HTML page (no network needed to open
// it), written beside the .jsonl unless --out says where.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { writeTracePage } from '../tracePage/render.ts';
import { UsageError, parseFlags } from '../../lib/internal.ts';

export function traceCommand(argv: string[]): void {
  const { values, positionals } = parseFlags(argv, { out: { type: 'string' } });
  const [file, ...extra] = positionals;
  if (!file || extra.length > 0) throw new UsageError('give one trace file: distsys trace traces/<name>.jsonl');
  if (!existsSync(file)) throw new UsageError(`${file}: no such file (the stage tests write traces to traces/)`);
  const page = writeTracePage(resolve(file), typeof values.out === 'string' ? resolve(values.out) : undefined);
  process.stdout.write(`${page}\n`);
}

// The entries between nodes, the net kernel's language: every kind survives the
// kit's wire form there and back, a peer's malformed entry is refused by its
// schema, and `describe` says each kind in a few words for people.
import { describe, expect, it } from 'vitest';
import { describe as describeEntry, isMessage, type Entry } from '../../lib/distribution/entries.ts';
import { EntryError, encodeEntry, parseEntryText, readEntry, wireTrace } from '../../lib/distribution/entryCodec.ts';
import { genServerEnvelope } from '../../lib/genServer.ts';
import { localNode } from '../../lib/localNode.ts';
import { Pid, Ref } from '../../lib/index.ts';

const here = (id: number) => new Pid(localNode.name, id, 7);
const there = new Pid('b@host', 4, 9);
const ref = new Ref('b@host', 12, 9);

/** One entry of each kind, as the process layer hands them to the kernel. */
const everyKind: Entry[] = [
  { kind: 'send', to: here(3), msg: { n: 1, at: new Date(0), pid: there } },
  { kind: 'sendName', name: 'consumer', msg: { $gen: 'cast', msg: { ping: 1 } } },
  { kind: 'link', from: there, to: here(3) },
  { kind: 'unlink', from: there, to: here(3) },
  { kind: 'exit', from: there, to: here(3), reason: 'shutdown', viaLink: true },
  { kind: 'monitor', from: there, to: 'consumer', ref },
  { kind: 'demonitor', from: there, to: here(3), ref },
  { kind: 'down', to: here(3), ref, object: { name: 'consumer', node: 'b@host' }, reason: 'noconnection' },
];

const overTheWire = (entry: Entry) => readEntry(JSON.parse(encodeEntry(entry)));

describe('entries', () => {
  it('every kind crosses the wire form and comes back equal', () => {
    for (const entry of everyKind) expect(overTheWire(entry), entry.kind).toEqual(entry);
  });

  it('a peer entry that does not fit its schema is refused, naming its tag', () => {
    expect(() => readEntry(['l', 1, 2])).toThrow(EntryError);
    expect(() => readEntry(['l', 1, 2])).toThrow(/bad entry "l"/);
    expect(() => readEntry(['zz', 1])).toThrow(/bad entry "zz"/);
    expect(() => readEntry({ not: 'an entry' })).toThrow(/without a tag/);
  });

  it('messages are the send kinds; everything else is a signal', () => {
    expect(everyKind.filter(isMessage).map((e) => e.kind)).toEqual(['send', 'sendName']);
  });

  it('describes each kind in a few words, unwrapping GenServer messages when asked', () => {
    const words = everyKind.map((e) => describeEntry(e, { unwrap: genServerEnvelope, maxChars: 200 }));
    expect(words[0]).toMatch(/^pid: \{n: 1, /);
    expect(words[1]).toBe('consumer: cast {ping: 1}');
    expect(describeEntry(everyKind[1] as Entry), 'without unwrap, the message as it is').toBe('consumer: {$gen: "cast", msg: {ping: 1}}');
    expect(words.slice(2)).toEqual([
      `link #PID<b@host.4> -> #PID<${localNode.name}.3>`,
      `unlink #PID<b@host.4> -> #PID<${localNode.name}.3>`,
      `exit #PID<b@host.4> -> #PID<${localNode.name}.3>: shutdown`,
      'monitor #PID<b@host.4> -> consumer',
      `demonitor #PID<b@host.4> -> #PID<${localNode.name}.3>`,
      `DOWN {consumer, b@host} -> #PID<${localNode.name}.3>: noconnection`,
    ]);
    expect(describeEntry({ kind: 'sendName', name: 'x', msg: 'y'.repeat(100) })).toHaveLength(44);
  });

  it('a trace joins a send to its delivery: the same hash on both sides, and the whole text read back', () => {
    for (const entry of everyKind) {
      const sent = wireTrace(entry, 10_000);
      expect(wireTrace(overTheWire(entry), 10_000)).toEqual(sent);
      expect(parseEntryText(sent.text)).toEqual(entry);
    }
    const cut = wireTrace({ kind: 'sendName', name: 'x', msg: 'y'.repeat(300) }, 160).text;
    expect(cut).toMatch(/…$/);
    expect(parseEntryText(cut)).toBeUndefined();
  });
});

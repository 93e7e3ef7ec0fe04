// Exit reasons and gen:call shapes across the boundary (no Erlang needed): the kit's
// reason words are Erlang's atoms, a call's reply carries the caller's tag back, and
// GenServer's messages become Erlang's gen protocol and back, changing nothing else.
import { describe, expect, it } from 'vitest';
import { genCall, genReply, readGenCall } from '../../../lib/erlang/genCall.ts';
import { fromErlangMessage, toErlangMessage } from '../../../lib/erlang/genServerShapes.ts';
import { termEquals } from '../../../lib/erlang/termEquals.ts';
import { callMsg, castMsg, readReply, replyMsg } from '../../../lib/genServerMessages.ts';
import { reasonFromErlang, reasonToErlang } from '../../../lib/erlang/reasons.ts';
import { atom, improperList, tuple } from '../../../lib/erlang/terms.ts';
import { Pid, Ref } from '../../../lib/terms.ts';

describe('exit reasons', () => {
  it("a kit reason word is the Erlang atom, and back; other reasons cross as terms", () => {
    for (const word of ['normal', 'kill', 'killed', 'shutdown', 'noproc', 'noconnection']) {
      expect(reasonToErlang(word)).toBe(atom(word));
      expect(reasonFromErlang(atom(word))).toBe(word);
    }
    expect(reasonToErlang(new TypeError('boom'))).toStrictEqual(tuple(atom('error'), 'TypeError: boom'));
    expect(reasonFromErlang(tuple(atom('shutdown'), 1))).toStrictEqual(tuple(atom('shutdown'), 1));
    expect(reasonFromErlang(undefined)).toBe('undefined');
  });
});

describe('gen:call', () => {
  const caller = new Pid('erl@host', 85, 3);
  const tag = improperList([atom('alias')], new Ref('erl@host', 1, 3, [1, 2, 3000000000]));

  it('reads a call, and its reply goes to the caller with the tag it came with ([alias | Ref] included)', () => {
    const call = readGenCall(genCall(caller, tag, tuple(atom('is_auth'), atom('erl@host'))));
    expect(call).toMatchObject({ from: caller, tag });
    expect(genReply(call!, atom('yes'))).toStrictEqual({ to: caller, message: tuple(tag, atom('yes')) });
    expect(readGenCall(tuple(atom('$gen_cast'), 'x'))).toBeUndefined();
  });

  it("a kit GenServer's call, cast and reply leave as Erlang's gen protocol; Erlang's arrive as the kit's", () => {
    const kit = new Pid('kit@host', 7, 9);
    const ref = new Ref('kit@host', 12, 9);
    expect(toErlangMessage(callMsg({ pid: kit, ref }, 'req'))).toStrictEqual(tuple(atom('$gen_call'), tuple(kit, ref), 'req'));
    expect(toErlangMessage(castMsg([1]))).toStrictEqual(tuple(atom('$gen_cast'), [1]));
    // A call from OTP 24+ carries [alias | Ref]: the reply carries it back as it came.
    const incoming = fromErlangMessage(genCall(caller, tag, 'req')) as ReturnType<typeof callMsg>;
    expect(incoming).toStrictEqual(callMsg({ pid: caller, ref: tag.tail as Ref, tag }, 'req'));
    expect(toErlangMessage(replyMsg(incoming.from, atom('ok')))).toStrictEqual(tuple(tag, atom('ok')));
    expect(fromErlangMessage(tuple(atom('$gen_cast'), 'x'))).toStrictEqual(castMsg('x'));
    // Erlang's reply to a kit caller stays a tuple, which GenServer reads as the reply.
    expect(readReply(tuple(ref, 42))).toStrictEqual({ ref, value: 42 });
  });

  it('every other term arrives and leaves as it is, so an echo through a kit process is the same term', () => {
    const others = [
      tuple(atom('$gen_call'), tuple(caller, 5), 'a tag that is no reference'),
      tuple(atom('$gen_call'), tuple('not a pid', tag), 'x'),
      tuple(atom('$gen_cast'), 1, 2),
      tuple(tag.tail, 'a reply-like tuple'),
      { $gen: 'stop', reason: 'normal' },
      [tuple(atom('$gen_cast'), 'nested: only the message itself is looked at')],
      'hello',
    ];
    for (const term of others) expect(termEquals(toErlangMessage(fromErlangMessage(term)), term), String(term)).toBe(true);
    for (const term of [genCall(caller, tag, 'q'), genCall(caller, tag.tail, 'q'), tuple(atom('$gen_cast'), { a: 1 })]) {
      expect(termEquals(toErlangMessage(fromErlangMessage(term)), term), String(term)).toBe(true);
    }
  });
});

// Exit reasons and gen:call shapes across the boundary (no Erlang needed): the kit's
// reason words are Erlang's atoms, and a call's reply carries the caller's tag back.
import { describe, expect, it } from 'vitest';
import { genCall, genReply, readGenCall } from '../../../lib/erlang/genCall.ts';
import { answerNetKernel } from '../../../lib/erlang/netKernelResponder.ts';
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

  it("the kit's net_kernel says yes to is_auth, and nothing to what else Erlang might ask", () => {
    expect(answerNetKernel(genCall(caller, tag, tuple(atom('is_auth'), atom('erl@host'))))).toStrictEqual({ to: caller, message: tuple(tag, atom('yes')) });
    expect(answerNetKernel(genCall(caller, tag, atom('longnames')))).toBeUndefined();
    expect(answerNetKernel('hello')).toBeUndefined();
  });
});

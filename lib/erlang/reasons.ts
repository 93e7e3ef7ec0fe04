// Exit reasons across the boundary. Erlang's reasons are atoms (normal, kill,
// killed, shutdown, noproc, noconnection) or any term; the kit's are strings for the
// same words, an Error for a crash, or any value. So a kit string goes to Erlang as
// the atom of that name and an Erlang atom comes back as its name: a process that
// exits 'normal' on one side is seen to exit normal on the other.
import { Atom, atom, atomName, tuple } from './terms.ts';

/** A kit exit reason as the Erlang term a peer expects. */
export function reasonToErlang(reason: unknown): unknown {
  if (typeof reason === 'string') return atom(reason);
  // A crash: Erlang's {error, Reason} shape, with what the kit knows of it.
  if (reason instanceof Error) return tuple(atom('error'), `${reason.name}: ${reason.message}`);
  return reason;
}

/** An Erlang exit reason as the kit says it: atoms by name, anything else as it decoded. */
export function reasonFromErlang(reason: unknown): unknown {
  if (reason instanceof Atom) return reason.name;
  return typeof reason === 'boolean' || reason === null || reason === undefined ? atomName(reason) : reason;
}

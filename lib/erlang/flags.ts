// Distribution capability flags: what each node says it can do in the handshake;
// a connection uses what both can. Values from the documentation's "Distribution
// Flags" and OTP 25's kernel/include/dist.hrl (checked on OTP 25.2.3, Debian's
// erlang-base; DFLAG_MANDATORY_25_DIGEST is bit 26 there and in erts' dist.h, though
// a later edition of the documentation prints 1 bsl 36).

export const DFLAG = {
  PUBLISHED: 0x1n,
  ATOM_CACHE: 0x2n,
  EXTENDED_REFERENCES: 0x4n,
  DIST_MONITOR: 0x8n,
  FUN_TAGS: 0x10n,
  DIST_MONITOR_NAME: 0x20n,
  HIDDEN_ATOM_CACHE: 0x40n,
  NEW_FUN_TAGS: 0x80n,
  EXTENDED_PIDS_PORTS: 0x100n,
  EXPORT_PTR_TAG: 0x200n,
  BIT_BINARIES: 0x400n,
  NEW_FLOATS: 0x800n,
  UNICODE_IO: 0x1000n,
  DIST_HDR_ATOM_CACHE: 0x2000n,
  SMALL_ATOM_TAGS: 0x4000n,
  UTF8_ATOMS: 0x10000n,
  MAP_TAG: 0x20000n,
  BIG_CREATION: 0x40000n,
  SEND_SENDER: 0x80000n,
  BIG_SEQTRACE_LABELS: 0x100000n,
  EXIT_PAYLOAD: 0x400000n,
  FRAGMENTS: 0x800000n,
  HANDSHAKE_23: 0x1000000n,
  UNLINK_ID: 0x2000000n,
  MANDATORY_25_DIGEST: 0x4000000n,
  SPAWN: 1n << 32n,
  NAME_ME: 1n << 33n,
  V4_NC: 1n << 34n,
  ALIAS: 1n << 35n,
} as const;

/** What OTP 25 refuses a connection without (dist.hrl's MANDATORY_DFLAGS_25). */
export const MANDATORY_25 =
  DFLAG.EXTENDED_REFERENCES | DFLAG.FUN_TAGS | DFLAG.EXTENDED_PIDS_PORTS | DFLAG.NEW_FUN_TAGS | DFLAG.EXPORT_PTR_TAG |
  DFLAG.BIT_BINARIES | DFLAG.NEW_FLOATS | DFLAG.UTF8_ATOMS | DFLAG.MAP_TAG | DFLAG.BIG_CREATION | DFLAG.HANDSHAKE_23;

/**
 * What the kit offers. Everything OTP 25 requires, what OTP 26 and 27 add to that
 * (the new link protocol, full 32-bit pid fields and five-word refs, the digest flag
 * that stands for OTP 25's mandatory set), monitors (also by name), the sender in
 * SEND_SENDER, and exit reasons as a payload. Left out on purpose: the atom cache and
 * fragments (so every message is one pass-through frame: no distribution header to
 * keep state for), SPAWN (Erlang cannot spawn a process on a kit node), ALIAS (a kit
 * process has no aliases; a reply to a call goes to the caller's pid, which Erlang's
 * gen:reply does when the tag is a plain reference), and NAME_ME.
 * PUBLISHED is added for a visible node only (see README.md, "Visible or hidden").
 */
export const KIT_FLAGS =
  MANDATORY_25 | DFLAG.DIST_MONITOR | DFLAG.DIST_MONITOR_NAME | DFLAG.SMALL_ATOM_TAGS | DFLAG.UNICODE_IO | DFLAG.SEND_SENDER |
  DFLAG.BIG_SEQTRACE_LABELS | DFLAG.EXIT_PAYLOAD | DFLAG.UNLINK_ID | DFLAG.MANDATORY_25_DIGEST | DFLAG.V4_NC;

/** The flags a kit node offers: its capabilities, and PUBLISHED when it is visible. */
export function kitFlags(visible: boolean): bigint {
  return visible ? KIT_FLAGS | DFLAG.PUBLISHED : KIT_FLAGS;
}

/** The names of the mandatory flags `flags` lacks (empty when the peer may connect). */
export function missingMandatory(flags: bigint): string[] {
  // A peer that says it has OTP 25's mandatory set (the digest flag) is taken at its word, as OTP 26+ does.
  const needed = flags & DFLAG.MANDATORY_25_DIGEST ? 0n : MANDATORY_25;
  return flagNames(needed & ~flags);
}

/** The names of the flags set in `flags`, for logs and errors. */
export function flagNames(flags: bigint): string[] {
  return Object.entries(DFLAG)
    .filter(([, bit]) => (flags & bit) !== 0n)
    .map(([name]) => name);
}

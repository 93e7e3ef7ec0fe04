// The storage's protocol: one JSON command per HTTP request, POST /command with
// `Authorization: Bearer TOKEN`, `{ "command": "set", "args": ["k", "v"] }`,
// answered 200 `{ ok: true, result }` or 400 `{ ok: false, error }` (401 without
// the token, 403 for a web page, 413 for a body over the limit). The commands
// are a small Redis: string values, lists of strings, and WRONGTYPE when a
// command meets the other kind.
import { z } from 'zod';

export const STORAGE_URL_ENV = 'DISTSYS_STORAGE_URL';
export const COMMAND_PATH = '/command';
/** The largest request body the storage reads; a bigger one is refused (413), not buffered. */
export const MAX_BODY_BYTES = 1024 * 1024;
/** How much data (keys and values) a storage holds at most, unless told otherwise. */
export const DEFAULT_MAX_DATA_BYTES = 256 * 1024 * 1024;

const key = z.string('must be a string').min(1, 'must not be empty');
const value = z.string('must be a string');
const integer = z.number('must be a number').int('must be a safe integer');
const setOptions = z.strictObject({ nx: z.boolean('must be a boolean').optional() }, 'must be an object like { nx: true }');

// One row per command: its arguments (a tuple, so arity is checked too), the
// names they go by in error messages, and the shape of its result.
export const commands = {
  ping: { usage: 'ping()', params: [], args: z.tuple([]), result: z.literal('pong') },
  get: { usage: 'get(key)', params: ['key'], args: z.tuple([key]), result: z.string().nullable() },
  set: { usage: 'set(key, value, { nx }?)', params: ['key', 'value', 'options'], args: z.tuple([key, value, setOptions.optional()]), result: z.boolean() },
  del: { usage: 'del(key)', params: ['key'], args: z.tuple([key]), result: z.number().int().min(0) },
  incr: { usage: 'incr(key, by?)', params: ['key', 'by'], args: z.tuple([key, integer.optional()]), result: z.number().int() },
  rpush: { usage: 'rpush(key, value, ...values)', params: ['key', 'value'], args: z.tuple([key, value], value), result: z.number().int().min(1) },
  lrange: { usage: 'lrange(key, start, stop)', params: ['key', 'start', 'stop'], args: z.tuple([key, integer, integer]), result: z.array(z.string()) },
  flush: { usage: 'flush()', params: [], args: z.tuple([]), result: z.literal(true) },
} as const;

export type CommandName = keyof typeof commands;
export type CommandArgs<C extends CommandName> = z.infer<(typeof commands)[C]['args']>;
export type CommandResult<C extends CommandName> = z.infer<(typeof commands)[C]['result']>;

const storageRequest = z.discriminatedUnion('command', [
  z.object({ command: z.literal('ping'), args: commands.ping.args }),
  z.object({ command: z.literal('get'), args: commands.get.args }),
  z.object({ command: z.literal('set'), args: commands.set.args }),
  z.object({ command: z.literal('del'), args: commands.del.args }),
  z.object({ command: z.literal('incr'), args: commands.incr.args }),
  z.object({ command: z.literal('rpush'), args: commands.rpush.args }),
  z.object({ command: z.literal('lrange'), args: commands.lrange.args }),
  z.object({ command: z.literal('flush'), args: commands.flush.args }),
]);
export type StorageRequest = z.infer<typeof storageRequest>;

export const storageReply = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), result: z.unknown() }),
  z.object({ ok: z.literal(false), error: z.string() }),
]);
export type StorageReply = z.infer<typeof storageReply>;

const envelope = z.object({
  command: z.string('"command" must be a string naming the command'),
  args: z.array(z.unknown(), '"args" must be an array').default([]),
});

const isCommand = (name: string): name is CommandName => Object.hasOwn(commands, name);

// The words of the storage's errors, shared by the embedded store and the Redis
// client, so a mistake reads the same whichever store the kit uses.

/** A command on the wrong kind of value: strings for get and incr, lists for rpush and lrange. */
export function wrongTypeMessage(command: 'get' | 'incr' | 'rpush' | 'lrange', key: string): string {
  const [holds, worksOn] = command === 'get' || command === 'incr' ? ['list', 'strings'] : ['string', 'lists'];
  return `WRONGTYPE ${command}: the key ${show(key)} holds a ${holds}, and ${command} works on ${worksOn}`;
}

export function notAnIntegerMessage(key: string, value: string): string {
  return `incr: the value of ${show(key)} is not an integer (${show(value)}), so it cannot be incremented`;
}

export function overflowMessage(current: number, by: number): string {
  return `incr: ${current} + ${by} would overflow the safe integer range (±${Number.MAX_SAFE_INTEGER})`;
}

function show(text: string): string {
  const json = JSON.stringify(text);
  return json.length > 60 ? `${json.slice(0, 57)}..."` : json;
}

/**
 * Checks a decoded request body. The error names the command and the argument
 * at fault, so whoever typed it can fix it without reading this file.
 */
export function parseRequest(body: unknown): { ok: true; request: StorageRequest } | { ok: false; error: string } {
  const outer = envelope.safeParse(body);
  if (!outer.success) {
    const issue = outer.error.issues[0];
    const message = issue?.path.length ? issue.message : 'the request must be a JSON object like { "command": "get", "args": ["key"] }';
    return { ok: false, error: message };
  }
  const { command, args } = outer.data;
  if (!isCommand(command)) {
    return { ok: false, error: `unknown command ${JSON.stringify(command)} (the commands are ${Object.keys(commands).join(', ')})` };
  }
  const parsed = storageRequest.safeParse({ command, args });
  if (parsed.success) return { ok: true, request: parsed.data };
  return { ok: false, error: describeIssue(command, args, parsed.error.issues[0]) };
}

function describeIssue(command: CommandName, args: unknown[], issue: z.core.$ZodIssue | undefined): string {
  const { usage, params } = commands[command];
  const [, index, ...inner] = issue?.path ?? [];
  if (typeof index !== 'number' || index >= args.length) {
    const count = `${args.length} argument${args.length === 1 ? '' : 's'}`;
    return `${command}: wrong number of arguments: it takes ${usage}, got ${count}`;
  }
  // rpush's extra values share the name of its last parameter.
  const name = params[index] ?? params[params.length - 1] ?? 'argument';
  const where = inner.length ? `${name}.${inner.join('.')}` : name;
  return `${command}: argument ${index + 1} (${where}) ${issue?.message ?? 'is not valid'}, got ${describeValue(args[index], inner)}; usage: ${usage}`;
}

function describeValue(arg: unknown, inner: PropertyKey[]): string {
  let v = arg;
  for (const k of inner) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  if (inner.length && v === undefined) return JSON.stringify(arg);
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Where a client finds the storage: its URL as given (with the token), its origin, and the token. */
export interface StorageAddress {
  /** The kit's embedded storage (http) or a Redis server (redis, rediss with TLS). */
  readonly kind: 'http' | 'redis';
  /** `http://distsys:TOKEN@host:port`, or the origin alone if no token was given. */
  readonly url: string;
  /** `http://host:port`: what messages show (never the token). */
  readonly origin: string;
  readonly token: string | undefined;
}

/**
 * The storage address in `raw` (an argument or the environment variable): an http URL
 * with no path, the token as its password. `source` says where it came from, for errors.
 */
export function parseStorageUrl(raw: string, source: string): StorageAddress {
  const hint = 'expected something like http://distsys:TOKEN@127.0.0.1:4380 (`distsys storage` prints its URL)';
  // "localhost:4380" parses as a URL of scheme "localhost:", so say what is missing first.
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(raw.trim())) throw new Error(`${shown(source)} is not a URL (it lacks http://): ${hint}`);
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new Error(`${shown(source)} is not a URL: ${hint}`);
  }
  if (url.protocol === 'redis:' || url.protocol === 'rediss:') {
    // A Redis URL goes to the Redis client as it is (its password, database number and all);
    // messages show it without the password.
    if (url.hash !== '' || url.search !== '') throw new Error(`${shown(source)} must be a Redis address like redis://:PASSWORD@host:6379/0, with no query`);
    const origin = `${url.protocol}//${url.host}${url.pathname === '/' ? '' : url.pathname}`;
    return { kind: 'redis', url: url.href, origin, token: url.password !== '' ? decodeURIComponent(url.password) : undefined };
  }
  if (url.protocol !== 'http:') throw new Error(`${shown(source)} must be an http:// (or redis://) URL, not ${url.protocol}//: ${hint}`);
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '') throw new Error(`${shown(source)} must be the storage's address alone, with no path: ${hint}`);
  const token = url.password !== '' ? decodeURIComponent(url.password) : undefined;
  return { kind: 'http', url: token ? storageUrl(url.origin, token) : url.origin, origin: url.origin, token };
}

/** The URL a client uses for the storage at `origin` with `token`. */
export function storageUrl(origin: string, token: string): string {
  const url = new URL(origin);
  url.username = 'distsys';
  url.password = token;
  return url.href.replace(/\/$/, '');
}

/** `source` for messages, with any token in it hidden. */
function shown(source: string): string {
  return source.replace(/(\/\/[^:/@\s]*:)[^@/\s]+@/, '$1***@');
}

/** The storage address from DISTSYS_STORAGE_URL, or undefined if it is not set. */
export function storageUrlFromEnv(env: NodeJS.ProcessEnv = process.env): StorageAddress | undefined {
  const raw = env[STORAGE_URL_ENV];
  if (raw === undefined || raw === '') return undefined;
  return parseStorageUrl(raw, `${STORAGE_URL_ENV}=${raw}`);
}

// The node's logger: what Erlang's logger prints on the console (rejected
// connections, crashed processes, lost nodes). Lines go to stderr by default;
// tests and tools add handlers to read them as data.
//
// Log lines quote text that came from the network (a peer's name, the reason
// it gave for a refusal, an Origin header). Printed as it is, such text could
// move the cursor, retitle or clear the terminal (escape sequences) or forge
// whole log lines (a newline): so no message is ever printed with a control
// character other than its own newlines and tabs, and network text is quoted
// through `untrusted`, which escapes those too.
export type LogLevel = 'debug' | 'info' | 'warning' | 'error';

export interface LogEvent {
  readonly level: LogLevel;
  readonly node: string;
  readonly message: string;
  readonly time: number;
}

export type LogHandler = (event: LogEvent) => void;

const rank: Record<LogLevel, number> = { debug: 0, info: 1, warning: 2, error: 3 };
const handlers = new Set<LogHandler>();
let nodeName = 'nonode@nohost';
let consoleLevel: LogLevel = parseLevel(process.env.DISTSYS_LOG_LEVEL) ?? 'warning';

function parseLevel(text: string | undefined): LogLevel | undefined {
  return text !== undefined && text in rank ? (text as LogLevel) : undefined;
}

/** Sets the name that prefixes every line (the node's own name once it is alive). */
export function setLogNode(name: string): void {
  nodeName = name;
}

/** The lowest level printed on stderr ('warning' unless DISTSYS_LOG_LEVEL says otherwise). */
export function setConsoleLevel(level: LogLevel): void {
  consoleLevel = level;
}

/** Adds a handler that sees every event, whatever the console level; returns its remover. */
export function addLogHandler(handler: LogHandler): () => void {
  handlers.add(handler);
  return () => handlers.delete(handler);
}

/** C0 controls but tab and newline, DEL, and C1 controls (0x9b is a terminal's CSI on its own). */
const CONTROLS_BUT_LINES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
/** Every control character, newline, carriage return and tab included, and the marks that reorder text on screen. */
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
const escaped = (c: string) => {
  const code = c.charCodeAt(0);
  return NAMED[c] ?? (code > 0xff ? `\\u${code.toString(16)}` : `\\x${code.toString(16).padStart(2, '0')}`);
};

/**
 * Text that came from the network, made safe to quote in a log line: every control character
 * (newline, carriage return, escape, ...) is written as an escape (`\n`, `\x1b`), and the text is
 * cut at `max` characters, so nothing a peer sends can forge a line or drive the terminal.
 */
export function untrusted(text: string, max = 200): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return cut.replace(CONTROLS, escaped);
}

function emit(level: LogLevel, raw: string): void {
  // Whatever a message quotes, its line cannot carry an escape sequence to the terminal.
  const message = raw.replace(CONTROLS_BUT_LINES, escaped);
  const event: LogEvent = { level, node: nodeName, message, time: Date.now() };
  for (const handler of handlers) {
    try {
      handler(event);
    } catch {
      // A broken handler must not take the node down with it.
    }
  }
  if (rank[level] >= rank[consoleLevel]) process.stderr.write(`[${nodeName}] ${level}: ${message}\n`);
}

export const log = {
  debug: (message: string) => emit('debug', message),
  info: (message: string) => emit('info', message),
  warning: (message: string) => emit('warning', message),
  error: (message: string) => emit('error', message),
};

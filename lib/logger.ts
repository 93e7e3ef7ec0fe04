// The node's logger: what Erlang's logger prints on the console (rejected
// connections, crashed processes, lost nodes). Lines go to stderr by default;
// tests and tools add handlers to read them as data.
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

function emit(level: LogLevel, message: string): void {
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

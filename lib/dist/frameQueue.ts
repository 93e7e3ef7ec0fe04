// Reads a WebSocket's text frames one at a time during the handshake. It keeps
// every frame that arrives, so frames that came in the same packet as the last
// handshake frame are handed on to the connection, never lost between the two.
import type { WebSocket, RawData } from 'ws';

export class HandshakeError extends Error {
  override name = 'HandshakeError';
}

export class FrameQueue {
  private frames: string[] = [];
  private waiter: { resolve: (text: string) => void; reject: (err: Error) => void } | undefined;
  private ended: Error | undefined;
  private readonly socket: WebSocket;
  private readonly onMessage = (data: RawData, isBinary: boolean) => {
    const text = isBinary ? '\u0000binary' : data.toString();
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w.resolve(text);
    } else this.frames.push(text);
  };
  private readonly onClose = (code: number, reason: Buffer) => {
    this.fail(new HandshakeError(`connection closed during the handshake (${code}${reason.length ? ` ${reason.toString()}` : ''})`));
  };
  private readonly onError = (err: Error) => this.fail(new HandshakeError(err.message));

  constructor(socket: WebSocket) {
    this.socket = socket;
    socket.on('message', this.onMessage);
    socket.on('close', this.onClose);
    socket.on('error', this.onError);
  }

  private fail(err: Error): void {
    this.ended ??= err;
    const w = this.waiter;
    this.waiter = undefined;
    w?.reject(err);
  }

  /** The next frame's text, or a HandshakeError if none comes within `timeoutMs`. */
  next(timeoutMs: number, waitingFor: string): Promise<string> {
    const queued = this.frames.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.ended) return Promise.reject(this.ended);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new HandshakeError(`no ${waitingFor} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiter = {
        resolve: (text) => {
          clearTimeout(timer);
          resolve(text);
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      };
    });
  }

  /** Stops reading and returns the frames that arrived but were not read. */
  detach(): string[] {
    this.socket.off('message', this.onMessage);
    this.socket.off('close', this.onClose);
    this.socket.off('error', this.onError);
    const rest = this.frames;
    this.frames = [];
    return rest;
  }
}

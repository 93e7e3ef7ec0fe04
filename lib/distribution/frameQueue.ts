// Reads a WebSocket's text frames one at a time during the handshake. It keeps
// every frame that arrives, so frames that came in the same packet as the last
// handshake frame are handed on to the connection, never lost between the two.
// A peer that has not authenticated yet cannot make it hold more than a few
// frames: the socket stops being read while one waits to be taken.
import type { WebSocket, RawData } from 'ws';
import { untrusted } from '../logger.ts';
import { MAX_WIRE_FRAME_BYTES } from './frames.ts';

/** ws's error code for a frame over its maxPayload. */
export const WS_TOO_BIG = 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH';

export class HandshakeError extends Error {
  override name = 'HandshakeError';
}

/** A frame as it came off the socket: the connection reads the leftovers of the handshake this way. */
export interface RawFrame {
  readonly data: Buffer;
  readonly isBinary: boolean;
}

/** The text of a frame, for the handshake (which has no binary frames: those read as malformed). */
const textOf = (frame: RawFrame) => (frame.isBinary ? '\u0000binary' : frame.data.toString());

/** Frames read from one TCP chunk after the socket was paused; anything beyond is a flood. */
const MAX_QUEUED_FRAMES = 64;

export class FrameQueue {
  private frames: RawFrame[] = [];
  private waiter: { resolve: (text: string) => void; reject: (err: Error) => void } | undefined;
  private ended: Error | undefined;
  private readonly socket: WebSocket;
  private readonly onMessage = (data: RawData, isBinary: boolean) => {
    const frame: RawFrame = { data: data as Buffer, isBinary };
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w.resolve(textOf(frame));
      return;
    }
    if (this.frames.length >= MAX_QUEUED_FRAMES) {
      this.fail(new HandshakeError(`the peer sent more than ${MAX_QUEUED_FRAMES} frames without waiting for an answer during the handshake`));
      this.socket.terminate();
      return;
    }
    this.frames.push(frame);
    // Nobody is reading: stop taking bytes off the network until somebody does.
    this.socket.pause();
  };
  private readonly onClose = (code: number, reason: Buffer) => {
    // The reason is the peer's (a listener that turned us away says why): network text.
    this.fail(new HandshakeError(`connection closed during the handshake (${code}${reason.length ? ` ${untrusted(reason.toString(), 123)}` : ''})`));
  };
  private readonly onError = (err: Error & { code?: string }) =>
    this.fail(new HandshakeError(err.code === WS_TOO_BIG ? `the peer sent a frame larger than ${MAX_WIRE_FRAME_BYTES} bytes during the handshake` : err.message));

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
    if (queued !== undefined) {
      if (this.frames.length === 0) this.socket.resume();
      return Promise.resolve(textOf(queued));
    }
    if (this.ended) return Promise.reject(this.ended);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new HandshakeError(`no ${waitingFor} within the setup time`));
      }, Math.max(0, timeoutMs));
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

  /** Stops reading and returns the frames that arrived but were not read; the new reader resumes the socket. */
  detach(): RawFrame[] {
    this.socket.off('message', this.onMessage);
    this.socket.off('close', this.onClose);
    this.socket.off('error', this.onError);
    const rest = this.frames;
    this.frames = [];
    return rest;
  }
}

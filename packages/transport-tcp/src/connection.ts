import type { BrineError } from '@brine/contracts';
import { isBrineError, ErrorCodes, FrameSplitter, ProtocolError, type Logger } from '@brine/contracts';
import { socketError } from './errors.js';
import { decodeFrame, type Frame } from './framing.js';
import type { Socket } from './socket.js';

export interface FramedConnectionOptions {
  maxMessageSize: number;
  /**
   * Drop the peer when its first frame, or the rest of a started frame, does not arrive within
   * this many ms (a peer that connects and sends nothing, or a slowloris). 0 disables.
   */
  idleTimeout: number;
  /** Apply `idleTimeout` to the first frame too (servers whose peers must speak first). Default true. */
  expectFirstFrame?: boolean;
  logger: Logger;
  /** `tcp://1.2.3.4:5678` for logs and errors. */
  label: string;
  onFrame(frame: Frame): void;
  /** Called once, synchronously, with the error that is about to close the connection. */
  onError?(error: BrineError): void;
}

/**
 * One TCP connection carrying Salt frames: cuts the byte stream into frames, decodes them, writes
 * encoded frames, and ends with the typed error that closed it (if any).
 */
export class FramedConnection {
  /** Settles when the socket is closed, with the error that closed it, or undefined for a clean close. */
  readonly closed: Promise<BrineError | undefined>;
  private readonly splitter: FrameSplitter;
  private error: BrineError | undefined;
  private sawFrame = false;
  private isClosed = false;
  private corked = false;

  constructor(
    readonly socket: Socket,
    private readonly options: FramedConnectionOptions,
  ) {
    this.splitter = new FrameSplitter({ maxMessageSize: options.maxMessageSize });
    this.sawFrame = options.expectFirstFrame === false;
    this.closed = new Promise((resolve) => {
      socket.once('close', () => {
        this.isClosed = true;
        resolve(this.error);
      });
    });
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => {
      // A peer that resets or vanishes is a disconnect, not bad input: keep it as the close reason only.
      this.error ??= socketError(error, options.label);
    });
    socket.on('timeout', () => {
      this.fail(
        new ProtocolError(
          ErrorCodes.IDLE_TIMEOUT,
          `${options.label} sent no complete frame for ${options.idleTimeout} ms`,
        ),
      );
    });
    this.armIdleTimer();
  }

  get open(): boolean {
    return !this.isClosed && !this.socket.destroyed;
  }

  get needsDrain(): boolean {
    return this.socket.writableNeedDrain;
  }

  /** Bytes accepted by `write` but not yet handed to the kernel. */
  get pendingBytes(): number {
    return this.socket.writableLength;
  }

  write(bytes: Uint8Array, callback?: (error?: Error | null) => void): boolean {
    return this.socket.write(bytes, callback);
  }

  /**
   * Corks the socket until the end of this tick, so every frame written in the meantime goes out
   * in one writev (many requests or replies in flight cost one syscall, not one each).
   */
  corkThisTick(): void {
    if (this.corked) return;
    this.corked = true;
    this.socket.cork();
    process.nextTick(() => {
      this.corked = false;
      this.socket.uncork();
    });
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  /** Closes the connection; `error` becomes the reason `closed` reports. */
  fail(error: BrineError): void {
    this.setError(error);
    this.socket.destroy();
  }

  private setError(error: BrineError): void {
    if (this.error) return;
    this.error = error;
    this.options.onError?.(error);
  }

  /** Half-closes cleanly after pending writes, then destroys. */
  end(): void {
    this.socket.end();
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    let frames: Uint8Array[];
    try {
      frames = this.splitter.push(chunk);
    } catch (error) {
      this.reject(error);
      return;
    }
    for (const bytes of frames) {
      if (!this.open) return;
      let frame: Frame;
      try {
        frame = decodeFrame(bytes, this.options.maxMessageSize);
      } catch (error) {
        this.reject(error);
        return;
      }
      this.sawFrame = true;
      this.options.onFrame(frame);
    }
    this.armIdleTimer();
  }

  private reject(error: unknown): void {
    const typed = isBrineError(error)
      ? error
      : new ProtocolError(ErrorCodes.DECODE, `bad frame from ${this.options.label}`, { cause: error });
    this.fail(typed);
  }

  private armIdleTimer(): void {
    const { idleTimeout } = this.options;
    if (idleTimeout <= 0) return;
    const waiting = !this.sawFrame || this.splitter.buffered > 0;
    this.socket.setTimeout(waiting ? idleTimeout : 0);
  }
}

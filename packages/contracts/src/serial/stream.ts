import { ConfigError, ErrorCodes } from '../errors/index.js';
import { measure } from './scan.js';

export interface FrameSplitterOptions {
  /** Largest message accepted; a longer one raises `ERR_MESSAGE_TOO_LARGE`. */
  maxMessageSize: number;
}

/** A buffer above this is not kept between messages, and a message above it is handed out without a copy. */
const KEEP_BYTES = 64 * 1024;

/**
 * Cuts a byte stream of concatenated msgpack values (no length prefix, as Salt's TCP transport sends
 * them) into one Uint8Array per value. Handles values split across chunks and chunks holding many
 * values. Memory is bounded by `maxMessageSize` plus one chunk. A large message is gathered in a
 * buffer of its declared length (not by doubling) and handed out as that buffer, which the splitter
 * then lets go: an idle connection holds at most 64 KiB, whatever it sent before.
 */
export class FrameSplitter {
  private buf: Uint8Array = new Uint8Array(0);
  private start = 0;
  private end = 0;
  /** Bytes needed before it is worth measuring again (avoids rescanning a large partial frame per chunk). */
  private needed = 1;
  private maxMessageSize: number;

  constructor(options: FrameSplitterOptions) {
    if (!(options.maxMessageSize > 0)) {
      throw new ConfigError(ErrorCodes.INVALID_ARGUMENT, 'maxMessageSize must be positive');
    }
    this.maxMessageSize = options.maxMessageSize;
  }

  /** The limit in force; may be changed between pushes (e.g. raised once a peer authenticated). */
  get limit(): number {
    return this.maxMessageSize;
  }

  set limit(value: number) {
    if (!(value > 0)) throw new ConfigError(ErrorCodes.INVALID_ARGUMENT, 'maxMessageSize must be positive');
    this.maxMessageSize = value;
  }

  /**
   * Bytes the partial message is known to need (its declared length so far, at least what is
   * held); 0 between messages. What a server claims against an inbound budget.
   */
  get claim(): number {
    const have = this.end - this.start;
    return have === 0 ? 0 : Math.max(have, this.needed);
  }

  /** Bytes of buffer the splitter holds allocated (at most 64 KiB between messages). */
  get capacity(): number {
    return this.buf.length;
  }

  /** Bytes held that do not yet form a complete message. */
  get buffered(): number {
    return this.end - this.start;
  }

  /** Appends a chunk and returns every message it completes. Throws ProtocolError on malformed or oversized input. */
  push(chunk: Uint8Array): Uint8Array[] {
    this.append(chunk);
    const out: Uint8Array[] = [];
    while (this.end - this.start >= this.needed) {
      const m = measure(this.buf, this.start, this.end, this.maxMessageSize);
      if (!m.complete) {
        this.needed = m.needAtLeast;
        break;
      }
      if (m.length > KEEP_BYTES) {
        // Hand the bytes out as they are and let the buffer go with them; keep any rest in a new one.
        out.push(this.buf.subarray(this.start, this.start + m.length));
        const rest = this.buf.subarray(this.start + m.length, this.end);
        this.buf = new Uint8Array(Math.max(4096, rest.length));
        this.buf.set(rest);
        this.start = 0;
        this.end = rest.length;
      } else {
        out.push(this.buf.slice(this.start, this.start + m.length));
        this.start += m.length;
      }
      this.needed = 1;
    }
    if (this.start === this.end) {
      this.start = 0;
      this.end = 0;
      if (this.buf.length > KEEP_BYTES) this.buf = new Uint8Array(0);
    }
    return out;
  }

  reset(): void {
    this.buf = new Uint8Array(0);
    this.start = 0;
    this.end = 0;
    this.needed = 1;
  }

  private append(chunk: Uint8Array): void {
    const have = this.end - this.start;
    if (this.end + chunk.length <= this.buf.length) {
      this.buf.set(chunk, this.end);
      this.end += chunk.length;
      return;
    }
    if (have + chunk.length <= this.buf.length && this.start > 0) {
      this.buf.copyWithin(0, this.start, this.end);
    } else {
      // The declared length of the partial message when known (measure checked it against the
      // limit): one buffer of that size instead of doubling (and copying) up to it.
      const want = Math.max(have + chunk.length, this.needed);
      let size = Math.max(4096, this.buf.length);
      while (size < want && size <= KEEP_BYTES) size *= 2;
      if (size < want) size = want;
      const next = new Uint8Array(size);
      next.set(this.buf.subarray(this.start, this.end));
      this.buf = next;
    }
    this.start = 0;
    this.end = have;
    this.buf.set(chunk, this.end);
    this.end += chunk.length;
  }
}

/** The small interfaces every implementation (raw library, Brine transport, Brine channel) provides to the load loops. */

/** Sends one request; calls `done` once its reply arrived (or with the error). */
export interface Requester {
  send(payload: Uint8Array, done: (error?: unknown) => void): void;
  close(): Promise<void>;
}

export interface EchoServer {
  port: number;
  close(): Promise<void>;
}

export interface Publisher {
  port: number;
  /** Resolves once `count` subscribers are connected (and, for ZeroMQ, subscribed). */
  waitSubscribers(count: number, timeout: number): Promise<void>;
  /** Resolves once the payload is queued for every subscriber (lossless: waits on backpressure). */
  publish(payload: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

/** Called for every message a subscriber gets: its index in the group and the bytes. */
export type OnMessage = (subscriber: number, bytes: Uint8Array) => void;

export interface SubscriberGroup {
  close(): Promise<void>;
}

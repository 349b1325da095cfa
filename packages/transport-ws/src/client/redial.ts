import {
  defer,
  ReconnectPolicy,
  Redialer,
  type BrineError,
  type ClientEvents,
  type TypedEmitter,
} from '@brine/contracts';
import { CloseCodes } from '../constants.js';
import type { ResolvedWsOptions } from '../options.js';
import { Heartbeat } from './heartbeat.js';
import type { Dialer, WireSocket } from './socket.js';

/** One open WebSocket connection of a client, with its keepalive. */
export interface WsConnection {
  readonly socket: WireSocket;
  /** Resolves when the connection ends, with the reason if it was an error. */
  readonly ended: Promise<BrineError | undefined>;
  readonly heartbeat: Heartbeat;
}

export interface WsRedialOptions {
  url: string;
  dialer: Dialer;
  options: ResolvedWsOptions;
  /** The client's emitter: the redialer emits `connect`, `disconnect` and `error` on it. */
  events: TypedEmitter<ClientEvents>;
  onMessage(data: Uint8Array, binary: boolean): void;
  /** Serves one connection: called when it is up, `onDown` when it ends (before `disconnect` is emitted). */
  onUp(connection: WsConnection): void;
  onDown(connection: WsConnection, error: BrineError | undefined): void;
}

/**
 * Core's {@link Redialer} (Salt's reconnect schedule) over a WebSocket dialer, with a client-side
 * heartbeat on every connection.
 */
export function wsRedialer(o: WsRedialOptions): Redialer<WsConnection> {
  const { options } = o;
  return new Redialer<WsConnection>({
    target: o.url,
    events: o.events,
    logger: options.logger,
    policy: new ReconnectPolicy(options.reconnect, options.logger),
    dial: async (signal) => {
      const ended = defer<BrineError | undefined>();
      let heartbeat: Heartbeat | undefined;
      const socket = await o.dialer(
        o.url,
        {
          open: (s) => {
            heartbeat = new Heartbeat(s, { interval: options.heartbeatInterval, timeout: options.heartbeatTimeout });
          },
          message: (data, binary) => {
            heartbeat?.touch();
            o.onMessage(data, binary);
          },
          activity: () => heartbeat?.touch(),
          close: (error) => {
            heartbeat?.stop();
            ended.resolve(error);
          },
        },
        { signal },
      );
      return { socket, ended: ended.promise, heartbeat: heartbeat! };
    },
    serve: async (connection) => {
      o.onUp(connection);
      const error = await connection.ended;
      o.onDown(connection, error);
      return error;
    },
    hangUp: (connection) => connection.socket.close(CloseCodes.NORMAL),
  });
}

import {
  ReconnectPolicy,
  Redialer,
  type Address,
  type BrineError,
  type ClientEvents,
  type TypedEmitter,
} from '@brine/contracts';
import { FramedConnection } from './connection.js';
import type { Frame } from './framing.js';
import type { ResolvedTcpOptions } from './options.js';
import { dial } from './socket.js';

export interface ClientRedialerOptions {
  address: Address;
  target: string;
  options: ResolvedTcpOptions;
  events: TypedEmitter<ClientEvents>;
  onFrame(connection: FramedConnection, frame: Frame): void;
  /** Runs on every new connection before it is served (the publish client sends its presence). */
  opened?(connection: FramedConnection): Promise<void>;
  /** Serves the connection; resolves when it ends (with the error that ended it). */
  serve(connection: FramedConnection): Promise<BrineError | undefined>;
}

/** The reconnect loop both TCP clients run: dial (TLS if configured), frame the stream, serve, redial. */
export function clientRedialer(o: ClientRedialerOptions): Redialer<FramedConnection> {
  const { options, target } = o;
  return new Redialer<FramedConnection>({
    target,
    events: o.events,
    logger: options.logger,
    policy: new ReconnectPolicy(options.reconnect, options.logger),
    dial: async (signal) => {
      const socket = await dial(o.address, {
        ssl: options.ssl,
        keepalive: options.tcpKeepalive,
        keepaliveIdle: options.tcpKeepaliveIdle,
        signal,
        target,
      });
      const connection: FramedConnection = new FramedConnection(socket, {
        maxMessageSize: options.maxMessageSize,
        idleTimeout: 0,
        logger: options.logger,
        label: target,
        onFrame: (frame) => o.onFrame(connection, frame),
      });
      await o.opened?.(connection);
      return connection;
    },
    serve: (connection) => o.serve(connection),
    hangUp: (connection) => connection.end(),
  });
}

import {
  ErrorCodes,
  ConfigError,
  resolveTransportOptions,
  type ResolvedTransportOptions,
  type TransportOptions,
} from '@brine/contracts';

/** Options of the ZeroMQ transport: the shared {@link TransportOptions} plus Salt's ZeroMQ settings. */
export interface ZmqTransportOptions extends TransportOptions {
  /**
   * Salt's `zmq_filtering` (default false). Off: subscribers subscribe to `b""` and every publish is
   * one frame that reaches every minion (the minion decides). On: subscribers subscribe to
   * `b"broadcast"` and `sha1(minion id)` in hex, and a targeted publish is sent once per target as
   * `[sha1(id).hexdigest(), payload]` (untargeted: `[b"broadcast", payload]`). Master and minions
   * must agree.
   */
  zmqFiltering?: boolean;
  /**
   * Request client framing. Off (default): exactly what a salt-minion's REQ socket sends,
   * `[b"", body]`, one request on the wire at a time (the others wait their turn). Salt 3008's
   * default master (`worker_pools_enabled`, its pooled routing device) reads the body at a fixed
   * frame position and answers anything else with a "Routing error", so this is the only framing
   * that works against every salt-master. On: `[request id, b"", body]` with up to `highWaterMark`
   * requests in flight, each reply matched by its id. Works against Brine masters and Salt's plain
   * `zmq.device(QUEUE)` (3007, or 3008 with `worker_pools_enabled: False`), not against a default
   * 3008 master.
   */
  requestPipelining?: boolean;
  /** Listen backlog on the servers (Salt's `zmq_backlog`). Default 1000. */
  backlog?: number;
  /**
   * `ZMQ_RECONNECT_IVL_MAX` of the request client (Salt hard-codes 5000 ms on its REQ socket). The
   * first retry comes after libzmq's default 100 ms and doubles up to this. Default 5000.
   */
  requestReconnectMax?: number;
  /**
   * `ZMQ_LINGER` override in ms for every socket. By default Salt's values are used: 0 for the
   * request client, -1 (wait until queued messages are sent) for the servers and the subscriber.
   */
  linger?: number;
  /**
   * Request server: the most bytes of routing envelope (every frame before the empty delimiter:
   * identity, request id, proxy hops) a request may carry; it is echoed in front of the reply, so
   * a bigger one is refused (`ERR_BAD_FRAME`, no reply). Default 1 024; at most 8 frames.
   */
  maxEnvelopeSize?: number;
}

export interface ResolvedZmqOptions extends ResolvedTransportOptions {
  zmqFiltering: boolean;
  requestPipelining: boolean;
  backlog: number;
  requestReconnectMax: number;
  linger: number | undefined;
  maxEnvelopeSize: number;
}

/** Fills in defaults and validates. Throws ConfigError (ZeroMQ has no TLS: Salt ignores `ssl` for it, Brine refuses it). */
export function resolveZmqOptions(options: ZmqTransportOptions = {}): ResolvedZmqOptions {
  const base = resolveTransportOptions(options);
  if (base.ssl !== undefined) {
    throw new ConfigError(ErrorCodes.CONFIG, 'TLS not supported with zeromq transport', {
      details: { transport: 'zeromq' },
    });
  }
  const nonNegative = (name: string, value: number | undefined, dflt: number): number => {
    const v = value ?? dflt;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new ConfigError(ErrorCodes.CONFIG, `${name} must be a non-negative number, got ${String(value)}`);
    }
    return v;
  };
  if (options.linger !== undefined && !(Number.isInteger(options.linger) && options.linger >= -1)) {
    throw new ConfigError(ErrorCodes.CONFIG, `linger must be an integer >= -1, got ${String(options.linger)}`);
  }
  return {
    ...base,
    zmqFiltering: options.zmqFiltering ?? false,
    requestPipelining: options.requestPipelining ?? false,
    backlog: nonNegative('backlog', options.backlog, 1000),
    requestReconnectMax: nonNegative('requestReconnectMax', options.requestReconnectMax, 5_000),
    linger: options.linger,
    maxEnvelopeSize: nonNegative('maxEnvelopeSize', options.maxEnvelopeSize, 1024),
  };
}

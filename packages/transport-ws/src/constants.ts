/** Salt's transport name for WebSocket (`transport: ws`). */
export const TRANSPORT_NAME = 'ws';

/** Path Salt's ws publish client connects to (`salt/transport/ws.py`); the request client uses `/`. */
export const DEFAULT_PUBLISH_PATH = '/ws';
export const DEFAULT_REQUEST_PATH = '/';

/** Per-subscriber bound on bytes buffered in the server process (ws `bufferedAmount`). */
export const DEFAULT_MAX_BUFFERED_AMOUNT = 4 * 1024 * 1024;
/** Client: how long one opening handshake (TCP + TLS + HTTP upgrade) may take. */
export const DEFAULT_HANDSHAKE_TIMEOUT = 10_000;
/** How long a close handshake may take before the socket is destroyed. */
export const DEFAULT_CLOSE_TIMEOUT = 1_000;

/** RFC 6455 close codes Brine sends. */
export const CloseCodes = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  UNSUPPORTED_DATA: 1003,
  INVALID_PAYLOAD: 1007,
  POLICY_VIOLATION: 1008,
  MESSAGE_TOO_BIG: 1009,
  INTERNAL_ERROR: 1011,
} as const;

/** The text frame that asks Salt's ws request server to close the connection. */
export const CLOSE_TEXT = 'close';

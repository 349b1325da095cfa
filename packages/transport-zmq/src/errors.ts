import type { BrineError } from '@brine/contracts';
import { isBrineError, ClosedError, ErrorCodes, ProtocolError, TransportError } from '@brine/contracts';
import type { EventOfType } from 'zeromq';

/** The errno-style code zeromq.js puts on its errors (`EAGAIN`, `EHOSTUNREACH`, `ERR_ZMTP_…`). */
export function zmqCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}

/** Maps a failed zeromq.js send/receive to a typed error, keeping the original as `cause`. */
export function socketError(error: unknown, what: string, closed: boolean): BrineError {
  if (isBrineError(error)) return error;
  const code = zmqCode(error);
  const text = (error as Error | undefined)?.message ?? String(error);
  if (closed || code === 'EBADF' || code === 'ENOTSOCK' || code === 'ETERM') {
    return new ClosedError(ErrorCodes.CLOSED, `${what}: socket closed`, { cause: error });
  }
  if (code === 'EAGAIN') {
    return new TransportError(ErrorCodes.QUEUE_FULL, `${what}: high-water mark reached`, { cause: error });
  }
  if (code === 'EHOSTUNREACH') {
    return new TransportError(ErrorCodes.CONNECTION_LOST, `${what}: peer is gone`, { cause: error });
  }
  return new TransportError(ErrorCodes.CONNECTION_LOST, `${what}: ${text}`, { cause: error });
}

type HandshakeFailure = EventOfType<'handshake:error:protocol' | 'handshake:error:auth' | 'handshake:error:other'>;

/**
 * What a failed ZMTP handshake (seen through the socket monitor) means, as a typed error:
 * a protocol error is garbage from the peer (`ERR_BAD_FRAME`); `EAGAIN` is libzmq's
 * `ZMQ_HANDSHAKE_IVL` expiring, i.e. a peer that connected and sent nothing (`ERR_IDLE_TIMEOUT`);
 * `EPIPE`/`ECONNRESET` is a peer that hung up mid-handshake (`ERR_CONNECTION_LOST`, `isHangup`).
 */
export function handshakeError(event: HandshakeFailure): BrineError {
  const cause = event.error;
  const code = zmqCode(cause);
  const where = event.address;
  if (event.type === 'handshake:error:protocol') {
    return new ProtocolError(ErrorCodes.BAD_FRAME, `ZMTP handshake with a peer on ${where} failed (${code})`, {
      cause,
      details: { endpoint: where, zmtp: code },
    });
  }
  if (event.type === 'handshake:error:other' && code === 'EAGAIN') {
    return new ProtocolError(ErrorCodes.IDLE_TIMEOUT, `a peer on ${where} did not finish the ZMTP handshake in time`, {
      cause,
      details: { endpoint: where },
    });
  }
  if (code === 'EPIPE' || code === 'ECONNRESET') {
    // The peer closed its connection before the handshake was done: real salt-minions do this now
    // and then while starting, and so does any TCP port check. libzmq (and so a salt-master) only
    // reports it as a monitor event.
    return new TransportError(
      ErrorCodes.CONNECTION_LOST,
      `a peer on ${where} hung up during the ZMTP handshake (${code})`,
      { cause, details: { endpoint: where, hangup: true } },
    );
  }
  return new TransportError(ErrorCodes.CONNECTION_LOST, `ZMTP handshake on ${where} failed (${code || event.type})`, {
    cause,
    details: { endpoint: where },
  });
}

/** A peer that hung up mid-handshake (`handshakeError`): worth a debug record, not an error one. */
export function isHangup(error: BrineError): boolean {
  return error.code === ErrorCodes.CONNECTION_LOST && error.details?.hangup === true;
}

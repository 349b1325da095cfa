// Raw sockets that speak just enough of each transport's wire to send what no real client would:
// tcp (msgpack frames), ws (HTTP upgrade + masked frames), zeromq (ZMTP 3.0 NULL handshake as a
// DEALER). Built on the compliance kit's raw connection.
import { rawConnect, type RawConnection } from '../../../packages/compliance/src/raw.js';
import { dumps } from '@brine/contracts';
import { encodeFrame } from '@brine/transport-tcp';
import { encodeMessage } from '@brine/transport-ws';
import type { Transport } from '../harness/daemons.js';

export type { RawConnection };
const HOST = '127.0.0.1';

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A ws client frame header (FIN, binary, masked with a zero key so the payload goes as is). */
function wsHeader(length: number): Uint8Array {
  const size = length < 126 ? 0 : length < 65_536 ? 2 : 8;
  const header = new Uint8Array(2 + size + 4);
  const view = new DataView(header.buffer);
  header[0] = 0x82;
  if (size === 0) header[1] = 0x80 | length;
  else if (size === 2) {
    header[1] = 0x80 | 126;
    view.setUint16(2, length);
  } else {
    header[1] = 0x80 | 127;
    view.setBigUint64(2, BigInt(length));
  }
  return header;
}

/** A ZMTP 3.0 frame header: `more` sets the MORE flag; sizes over 255 use the long form. */
function zmtpHeader(length: number, more = false): Uint8Array {
  if (length < 256) return new Uint8Array([more ? 0x01 : 0x00, length]);
  const h = new Uint8Array(9);
  h[0] = 0x02 | (more ? 0x01 : 0);
  new DataView(h.buffer).setBigUint64(1, BigInt(length));
  return h;
}

const ZMTP_GREETING = (() => {
  const g = new Uint8Array(64);
  g[0] = 0xff;
  g[9] = 0x7f;
  g[10] = 3; // version 3.0
  g[11] = 0;
  g.set(new TextEncoder().encode('NULL'), 12);
  return g; // as-server 0, filler zeros
})();

const ZMTP_READY = (() => {
  const enc = new TextEncoder();
  const name = enc.encode('Socket-Type');
  const value = enc.encode('DEALER');
  const body = concat(
    new Uint8Array([5]),
    enc.encode('READY'),
    new Uint8Array([name.length]),
    name,
    new Uint8Array([0, 0, 0, value.length]),
    value,
  );
  return concat(new Uint8Array([0x04, body.length]), body);
})();

const EMPTY_FRAME = zmtpHeader(0, true);

/** Opens a raw connection and does the transport's opening (ws upgrade, ZMTP greeting). */
export async function rawOpen(transport: Transport, port: number): Promise<RawConnection> {
  const raw = await rawConnect({ host: HOST, port });
  if (transport === 'ws') {
    const upgraded = new Promise<void>((resolve, reject) => {
      let text = '';
      const onData = (chunk: Buffer): void => {
        text += chunk.toString('latin1');
        if (!text.includes('\r\n\r\n')) return;
        raw.socket.off('data', onData);
        if (text.startsWith('HTTP/1.1 101')) resolve();
        else reject(new Error(`upgrade refused: ${text.split('\r\n')[0]}`));
      };
      raw.socket.on('data', onData);
      void raw.closed.then(() => reject(new Error('closed during the upgrade')));
    });
    raw.write(
      new TextEncoder().encode(
        `GET / HTTP/1.1\r\nHost: ${HOST}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
      ),
    );
    await upgraded;
  } else if (transport === 'zeromq') {
    raw.write(ZMTP_GREETING);
    raw.write(ZMTP_READY);
  }
  return raw;
}

/** The first bytes of one request message whose body declares `length` bytes (the rest is the caller's). */
export function messageHeader(transport: Transport, length: number): Uint8Array {
  if (transport === 'ws') return wsHeader(length);
  if (transport === 'zeromq') return concat(EMPTY_FRAME, zmtpHeader(length));
  const h = new Uint8Array(5);
  h[0] = 0xc6; // msgpack bin32: any msgpack value starts a tcp frame
  new DataView(h.buffer).setUint32(1, length - 5);
  return h;
}

let mid = 0;
/** One complete request carrying `message`; zeromq: `envelope` routing frames go in front of the delimiter. */
export function request(transport: Transport, message: unknown, envelope: Uint8Array[] = []): Uint8Array {
  if (transport === 'tcp') return encodeFrame({ mid: ++mid }, message);
  if (transport === 'ws') {
    const body = encodeMessage(message);
    return concat(wsHeader(body.length), body);
  }
  const body = dumps(message);
  return concat(
    ...envelope.flatMap((e) => [zmtpHeader(e.length, true), e]),
    EMPTY_FRAME,
    zmtpHeader(body.length),
    body,
  );
}

/** Writes and resolves once the kernel took the bytes (or the peer went away). */
export function writeFlushed(raw: RawConnection, bytes: Uint8Array): Promise<boolean> {
  if (raw.socket.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    raw.socket.write(bytes, (err) => resolve(!err));
    void raw.closed.then(() => resolve(false));
  });
}

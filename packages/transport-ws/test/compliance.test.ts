import { fileURLToPath } from 'node:url';
import { encodeMessage, wsTransport } from '../src/index.js';
import { transportCompliance } from '@brine/compliance/transport';

/** A client's binary frame header (FIN, opcode 2, masked with a zero key so the payload is sent as is). */
function frameHeader(length: number): Uint8Array {
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
  return header; // the mask key stays 0
}

transportCompliance({
  name: 'ws',
  factory: wsTransport,
  packageName: '@brine/transport-ws',
  packageDir: fileURLToPath(new URL('..', import.meta.url)),
  exportName: 'wsTransport',
  raw: {
    open: async (raw) => {
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
      });
      raw.write(
        new TextEncoder().encode(
          'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
            'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
        ),
      );
      await upgraded;
    },
    messageHeader: (length) => frameHeader(length),
    request: (message) => {
      const body = encodeMessage(message);
      const header = frameHeader(body.length);
      const out = new Uint8Array(header.length + body.length);
      out.set(header);
      out.set(body, header.length);
      return out;
    },
  },
});

import { fileURLToPath } from 'node:url';
import { encodeFrame, tcpTransport } from '@brine/transport-tcp';
import { transportCompliance } from '@brine/compliance/transport';

let mid = 0;

transportCompliance({
  name: 'tcp',
  factory: tcpTransport,
  packageName: '@brine/transport-tcp',
  packageDir: fileURLToPath(new URL('..', import.meta.url)),
  exportName: 'tcpTransport',
  raw: {
    // Any msgpack value starts a frame: a bin32 header declares `length` bytes in all.
    messageHeader: (length) => {
      const header = new Uint8Array(5);
      header[0] = 0xc6;
      new DataView(header.buffer).setUint32(1, length - 5);
      return header;
    },
    request: (message) => encodeFrame({ mid: ++mid }, message),
  },
});

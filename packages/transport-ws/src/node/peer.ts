import type { IncomingMessage } from 'node:http';
import type { PeerInfo } from '@brine/contracts';
import { TRANSPORT_NAME } from '../constants.js';

/** Builds the PeerInfo of an accepted connection; ids are unique per server. */
export class PeerIds {
  private next = 1;

  peerOf(req: IncomingMessage): PeerInfo {
    const id = `ws-${this.next++}`;
    const { remoteAddress, remotePort } = req.socket;
    return {
      id,
      transport: TRANSPORT_NAME,
      ...(remoteAddress !== undefined ? { remoteAddress } : {}),
      ...(remotePort !== undefined ? { remotePort } : {}),
    };
  }
}

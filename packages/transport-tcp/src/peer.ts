import type { PeerInfo } from '@brine/contracts';
import type { Socket } from './socket.js';

let counter = 0;

export function peerOf(socket: Socket, kind: string): PeerInfo {
  const peer: { id: string; transport: string; remoteAddress?: string; remotePort?: number } = {
    id: `${kind}-${++counter}`,
    transport: 'tcp',
  };
  if (socket.remoteAddress !== undefined) peer.remoteAddress = socket.remoteAddress;
  if (socket.remotePort !== undefined) peer.remotePort = socket.remotePort;
  return peer;
}

export function peerLabel(peer: PeerInfo): string {
  if (peer.remoteAddress === undefined) return peer.id;
  const host = peer.remoteAddress.includes(':') ? `[${peer.remoteAddress}]` : peer.remoteAddress;
  return `tcp://${host}:${peer.remotePort ?? 0}`;
}

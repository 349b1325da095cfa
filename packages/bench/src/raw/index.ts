import type { TransportName } from '../results.js';
import type { EchoServer, OnMessage, Publisher, Requester, SubscriberGroup } from '../scenarios/types.js';
import { netEchoServer, netPublisher, netRequester, netSubscribers } from './net.js';
import { wsEchoServer, wsPublisher, wsRequester, wsSubscribers } from './ws.js';
import { zmqEchoServer, zmqPublisher, zmqRequester, zmqSubscribers } from './zmq.js';

/** The raw library under each Brine transport: zeromq.js, node:net, ws. */
export const RAW_LIBRARY: Record<TransportName, string> = { zeromq: 'zeromq.js', tcp: 'node:net', ws: 'ws' };

export function rawEchoServer(transport: TransportName): Promise<EchoServer> {
  return transport === 'zeromq' ? zmqEchoServer() : transport === 'tcp' ? netEchoServer() : wsEchoServer();
}

export function rawRequester(transport: TransportName, port: number): Promise<Requester> {
  return transport === 'zeromq' ? zmqRequester(port) : transport === 'tcp' ? netRequester(port) : wsRequester(port);
}

export function rawPublisher(transport: TransportName): Promise<Publisher> {
  return transport === 'zeromq' ? zmqPublisher() : transport === 'tcp' ? netPublisher() : wsPublisher();
}

export function rawSubscribers(
  transport: TransportName,
  port: number,
  count: number,
  onMessage: OnMessage,
): Promise<SubscriberGroup> {
  if (transport === 'zeromq') return zmqSubscribers(port, count, onMessage);
  if (transport === 'tcp') return netSubscribers(port, count, onMessage);
  return wsSubscribers(port, count, onMessage);
}

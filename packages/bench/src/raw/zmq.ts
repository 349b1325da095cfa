/** zeromq.js baselines: DEALER/ROUTER echo and XPUB/SUB fan-out with HWM 0 (lossless), nothing else. */
import { LOOPBACK } from '../transports.js';
import type { EchoServer, OnMessage, Publisher, Requester, SubscriberGroup } from '../scenarios/types.js';
import { countdown } from './countdown.js';
import { loadZmq, raiseZmqSocketLimit, type ZmqSocketBase } from './libs.js';

function portOfEndpoint(endpoint: string | null): number {
  const port = Number(endpoint?.slice(endpoint.lastIndexOf(':') + 1));
  return Number.isInteger(port) ? port : 0;
}

async function drain(loop: Promise<void>, socket: ZmqSocketBase): Promise<void> {
  socket.close();
  await loop.catch(() => undefined);
}

export async function zmqEchoServer(): Promise<EchoServer> {
  const { Router } = loadZmq();
  const router = new Router({ linger: 0, sendHighWaterMark: 0, receiveHighWaterMark: 0 });
  await router.bind(`tcp://${LOOPBACK}:0`);
  const loop = (async () => {
    for await (const [id, body] of router) await router.send([id!, body!]);
  })();
  return { port: portOfEndpoint(router.lastEndpoint), close: () => drain(loop, router) };
}

export async function zmqRequester(port: number): Promise<Requester> {
  const { Dealer } = loadZmq();
  const dealer = new Dealer({ linger: 0, sendHighWaterMark: 0, receiveHighWaterMark: 0 });
  dealer.connect(`tcp://${LOOPBACK}:${port}`);
  const waiting: Array<(error?: unknown) => void> = [];
  const queue: Uint8Array[] = [];
  let sending = false;
  const pump = async (): Promise<void> => {
    sending = true;
    while (queue.length > 0) await dealer.send(queue.shift()!);
    sending = false;
  };
  const loop = (async () => {
    for await (const _frames of dealer) waiting.shift()?.();
  })();
  return {
    send(payload, done) {
      waiting.push(done);
      queue.push(payload);
      if (!sending) void pump();
    },
    close: () => drain(loop, dealer),
  };
}

export async function zmqPublisher(): Promise<Publisher> {
  const { XPublisher } = loadZmq();
  const pub = new XPublisher({ linger: 0, sendHighWaterMark: 0, receiveHighWaterMark: 0 });
  pub.verbosity = 'allSubs'; // count every subscriber, not only the first one per topic
  await pub.bind(`tcp://${LOOPBACK}:0`);
  const joined = countdown();
  const loop = (async () => {
    for await (const [msg] of pub) if (msg?.[0] === 1) joined.tick();
  })();
  return {
    port: portOfEndpoint(pub.lastEndpoint),
    waitSubscribers: (count, timeout) => joined.reach(count, timeout, 'zeromq subscriptions'),
    publish: (payload) => pub.send(payload),
    close: () => drain(loop, pub),
  };
}

export async function zmqSubscribers(port: number, count: number, onMessage: OnMessage): Promise<SubscriberGroup> {
  raiseZmqSocketLimit();
  const { Subscriber } = loadZmq();
  const subs = Array.from({ length: count }, (_, i) => {
    const sub = new Subscriber({ linger: 0, receiveHighWaterMark: 0 });
    sub.connect(`tcp://${LOOPBACK}:${port}`);
    sub.subscribe();
    const loop = (async () => {
      for await (const [msg] of sub) onMessage(i, msg!);
    })();
    return { sub, loop };
  });
  return {
    async close() {
      await Promise.all(subs.map(({ sub, loop }) => drain(loop, sub)));
    },
  };
}

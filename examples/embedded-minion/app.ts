/**
 * An existing Node HTTP service that embeds a Brine minion, so a master can query and steer it:
 * `app.stats` returns the service's counters, `app.reset` clears them, `app.slow` shows a function
 * that honours cancellation. Run: `BRINE_MASTER_PORT=4506 pnpm --filter @brine/examples embedded-minion`.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@brine/contracts';
import { createMinion, type Minion } from '@brine/core';
import { FsKeyStore } from '@brine/core/node';
import { createNodeSaltSuite } from '@brine/crypto/node';
import { tcpTransport } from '@brine/transport-tcp';
import { wsTransport } from '@brine/transport-ws';
import { zmqTransport } from '@brine/transport-zmq';

export interface ShopApp {
  http: Server;
  httpPort: number;
  minion: Minion;
  close(): Promise<void>;
}

export interface ShopOptions {
  masterPort: number;
  transport?: 'zeromq' | 'tcp' | 'ws';
  id?: string;
  pkiDir?: string;
}

export async function startShop(options: ShopOptions): Promise<ShopApp> {
  // The app's own state, served over HTTP as before.
  const counters = { orders: 0, errors: 0, since: new Date().toISOString() };
  const http = createServer((req, res) => {
    if (req.url === '/order') counters.orders++;
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(counters));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const httpPort = (http.address() as { port: number }).port;

  const minion = createMinion(
    {
      id: options.id ?? 'shop',
      transport: options.transport ?? 'zeromq',
      master: '127.0.0.1',
      master_port: options.masterPort,
      acceptance_wait_time: 1,
    },
    {
      transports: [zmqTransport(), tcpTransport(), wsTransport()],
      suite: createNodeSaltSuite(),
      keyStore: new FsKeyStore(options.pkiDir ?? mkdtempSync(join(tmpdir(), 'brine-example-shop-'))),
      logger: createLogger({ level: 'warning' }),
    },
  );
  minion.functions
    .register('app.stats', () => ({ ...counters, httpPort }))
    .register('app.reset', () => {
      counters.orders = 0;
      counters.errors = 0;
      counters.since = new Date().toISOString();
      return true;
    })
    .register('app.slow', async (args, _kwargs, { signal }) => {
      const ms = Number(args[0] ?? 100);
      await new Promise((resolve, reject) => {
        const timer = setTimeout(resolve, ms);
        signal.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(new Error('minion stopped'));
        });
      });
      return `slept ${ms} ms`;
    });
  await minion.start();

  return {
    http,
    httpPort,
    minion,
    async close() {
      await minion.close();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

async function main(): Promise<void> {
  const app = await startShop({
    masterPort: Number(process.env.BRINE_MASTER_PORT ?? 4506),
    transport: (process.env.BRINE_TRANSPORT as ShopOptions['transport']) ?? 'zeromq',
  });
  console.log(`shop on http://127.0.0.1:${app.httpPort}/ joined the master as '${app.minion.id}'`);
  const stop = async (): Promise<void> => {
    await app.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

if (import.meta.url === `file://${process.argv[1]}`) void main();

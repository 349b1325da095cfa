/**
 * A master started from code: it accepts minions as they sign in, publishes jobs and awaits their
 * returns, and follows the event bus. Run: `pnpm --filter @brine/examples master`.
 */
import { createLogger } from '@brine/contracts';
import { createMaster, type Master } from '@brine/core';
import { FsKeyStore } from '@brine/core/node';
import { createNodeSaltSuite } from '@brine/crypto/node';
import { tcpTransport } from '@brine/transport-tcp';
import { wsTransport } from '@brine/transport-ws';
import { zmqTransport } from '@brine/transport-zmq';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ExampleMasterOptions {
  transport?: 'zeromq' | 'tcp' | 'ws';
  pkiDir?: string;
  /** Accept every key that shows up as pending (a lab setting; production reviews keys with `brine key`). */
  acceptPending?: boolean;
  retPort?: number;
  publishPort?: number;
}

export async function startExampleMaster(options: ExampleMasterOptions = {}): Promise<Master> {
  const pkiDir = options.pkiDir ?? mkdtempSync(join(tmpdir(), 'brine-example-master-'));
  const master = createMaster(
    {
      transport: options.transport ?? 'zeromq',
      interface: '127.0.0.1',
      ret_port: options.retPort ?? 0,
      publish_port: options.publishPort ?? 0,
    },
    {
      transports: [zmqTransport(), tcpTransport(), wsTransport()],
      suite: createNodeSaltSuite(),
      keyStore: new FsKeyStore(pkiDir),
      logger: createLogger({ level: 'warning' }),
    },
  );
  if (options.acceptPending !== false) {
    master.bus.subscribe('salt/auth', (event) => {
      if (event.data.act === 'pend') void master.keys.accept(String(event.data.id));
    });
  }
  await master.start();
  return master;
}

async function main(): Promise<void> {
  const transport = (process.env.BRINE_TRANSPORT as ExampleMasterOptions['transport']) ?? 'zeromq';
  const master = await startExampleMaster({
    transport,
    retPort: Number(process.env.BRINE_RET_PORT ?? 4506),
    publishPort: Number(process.env.BRINE_PUBLISH_PORT ?? 4505),
  });
  const { request } = master.addresses;
  console.log(
    `master listening (${transport}); start minions with BRINE_MASTER_PORT=${'port' in request ? request.port : ''}`,
  );
  master.bus.subscribe('salt/minion/', (event) => console.log(`event ${event.tag}`));
  const stop = async (): Promise<void> => {
    await master.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
  for (;;) {
    const pinged = await master.run('*', 'test.ping', [], { timeoutSeconds: 5 });
    console.log(`test.ping -> ${JSON.stringify(pinged.returns)} (missing: ${pinged.missing.join(', ') || 'none'})`);
    if (pinged.minions.includes('shop')) {
      const stats = await master.run(['shop'], 'app.stats', [], { tgt_type: 'list' });
      console.log(`app.stats -> ${JSON.stringify(stats.returns)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10_000));
  }
}

if (import.meta.url === `file://${process.argv[1]}`) void main();

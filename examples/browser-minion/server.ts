/**
 * Serves the browser-minion page and runs a WebSocket master for it on loopback. Open the printed
 * URL in a browser: the page's minion signs in (auto-accepted here), and the master runs
 * `browser.info` on it. Run: `pnpm --filter @brine/examples browser-minion`.
 */
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { createLogger } from '@brine/contracts';
import { createMaster, MemoryKeyStore, type Master } from '@brine/core';
import { createNodeSaltSuite } from '@brine/crypto/node';
import { wsTransport } from '@brine/transport-ws';

export interface BrowserExample {
  url: (id: string) => string;
  master: Master;
  close(): Promise<void>;
}

async function bundlePage(): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('./page.ts', import.meta.url))],
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

export async function startBrowserExample(): Promise<BrowserExample> {
  const master = createMaster(
    { transport: 'ws', interface: '127.0.0.1', ret_port: 0, publish_port: 0, auto_accept: true },
    {
      transports: [wsTransport()],
      suite: createNodeSaltSuite(),
      keyStore: new MemoryKeyStore(),
      logger: createLogger({ level: 'warning' }),
    },
  );
  const { request } = await master.start();
  const masterPort = 'port' in request ? request.port : 0;
  const script = await bundlePage();
  const html =
    '<!doctype html><meta charset="utf-8"><title>Brine browser minion</title>' +
    '<h1>Brine minion in a browser</h1><pre id="log"></pre><script type="module" src="/minion.js"></script>';
  const http: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/minion.js') res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(script);
    else if (path === '/') res.writeHead(200, { 'Content-Type': 'text/html' }).end(html);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const httpPort = (http.address() as { port: number }).port;
  return {
    master,
    url: (id) => `http://127.0.0.1:${httpPort}/?host=127.0.0.1&port=${masterPort}&id=${encodeURIComponent(id)}`,
    async close() {
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await master.close();
    },
  };
}

async function main(): Promise<void> {
  const example = await startBrowserExample();
  console.log(`open ${example.url('browser')} in a browser`);
  example.master.bus.subscribe('salt/minion/', async (event) => {
    if (!event.tag.endsWith('/start')) return;
    const id = String(event.data.id);
    const result = await example.master.run(id, 'browser.info', [], { timeoutSeconds: 10 });
    console.log(`${id} -> ${JSON.stringify(result.returns[id])}`);
  });
  process.once('SIGINT', () => void example.close().then(() => process.exit(0)));
}

if (import.meta.url === `file://${process.argv[1]}`) void main();

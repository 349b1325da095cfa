/**
 * The browser build of @brine/transport-ws in Debian's Chromium (playwright-core): a page loads the
 * esbuild-bundled client, does request/reply with a Node ws request server and receives publishes
 * (broadcast and targeted) from a Node ws publish server. Needs /usr/bin/chromium
 * (scripts/install-chromium.sh) and built packages (`pnpm build`).
 */
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostAddress, PeerInfo } from '@brine/contracts';
import { wsTransport, type WsPublishServer, type WsRequestServer } from '../../packages/transport-ws/src/index.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const packageDir = fileURLToPath(new URL('../../packages/transport-ws/', import.meta.url));

/** The page's script: the package as a browser app gets it (`browser` export condition). */
async function bundleClient(): Promise<string> {
  const result = await build({
    stdin: {
      contents: `import { wsTransport } from '@brine/transport-ws';\nwindow.brine = { wsTransport };`,
      resolveDir: packageDir,
      sourcefile: 'page.js',
      loader: 'js',
    },
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'esm',
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

function serve(script: string): Promise<{ server: Server; url: string }> {
  const html =
    '<!doctype html><meta charset="utf-8"><title>brine ws</title><script type="module" src="/app.js"></script>';
  const server = createServer((req, res) => {
    if (req.url === '/app.js') {
      res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(script);
    } else if (req.url === '/') {
      res.writeHead(200, { 'Content-Type': 'text/html' }).end(html);
    } else {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({ server, url: `http://127.0.0.1:${port}/` });
    }),
  );
}

declare global {
  interface Window {
    brine: { wsTransport: typeof wsTransport };
    reportPublish(bytes: number[]): void;
  }
}

describe('@brine/transport-ws in Chromium', () => {
  let browser: Browser;
  let page: Page;
  let http: Server;
  let reqServer: WsRequestServer;
  let pubServer: WsPublishServer;
  let reqAddress: HostAddress;
  let pubAddress: HostAddress;
  const received: unknown[] = [];

  beforeAll(async () => {
    const t = wsTransport();
    reqServer = t.requestServer();
    reqAddress = (await reqServer.listen({ host: '127.0.0.1', port: 0 }, (message, { peer }) => {
      received.push(message);
      return { echo: message, from: peer.transport, bytes: new Uint8Array([0, 0xff, 0x80]) };
    })) as HostAddress;
    pubServer = t.publishServer();
    pubAddress = (await pubServer.listen(
      { host: '127.0.0.1', port: 0 },
      {
        presence: (m) => (m as { id?: string }).id,
      },
    )) as HostAddress;

    const app = await serve(await bundleClient());
    http = app.server;
    // Playwright gives the browser a fresh temporary profile; the flags keep Chromium off the network.
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(app.url);
    await page.waitForFunction(() => typeof window.brine?.wsTransport === 'function');
    expect(errors).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all([reqServer?.close(), pubServer?.close()]);
    await new Promise<void>((resolve) => (http ? http.close(() => resolve()) : resolve()));
  });

  it('does request/reply over the global WebSocket', async () => {
    const reply = await page.evaluate(async (address) => {
      const client = window.brine.wsTransport().requestClient();
      await client.connect(address, { timeout: 5000 });
      const replies = await Promise.all([
        client.request({ cmd: '_auth', id: 'browser-minion', data: new Uint8Array([1, 2, 255]) }, { timeout: 5000 }),
        client.request({ n: 2 }, { timeout: 5000 }),
      ]);
      await client.close();
      // Uint8Array does not survive page.evaluate: hand back plain arrays.
      const [first, second] = replies as Array<{ echo: Record<string, unknown>; from: string; bytes: Uint8Array }>;
      return {
        first: { ...first, bytes: Array.from(first!.bytes), data: Array.from(first!.echo.data as Uint8Array) },
        second: second!.echo,
        isBytes: first!.bytes instanceof Uint8Array,
      };
    }, reqAddress);
    expect(reply.isBytes).toBe(true);
    expect(reply.first.bytes).toEqual([0, 0xff, 0x80]);
    expect(reply.first.from).toBe('ws');
    expect(reply.first.data).toEqual([1, 2, 255]);
    expect(reply.second).toEqual({ n: 2 });
    expect(received[0]).toEqual({ cmd: '_auth', id: 'browser-minion', data: new Uint8Array([1, 2, 255]) });
  });

  it('receives publishes (broadcast and targeted to it, not those for others) after sending its presence', async () => {
    const got: number[][] = [];
    let wake: (() => void) | undefined;
    await page.exposeFunction('reportPublish', (bytes: number[]) => {
      got.push(bytes);
      wake?.();
    });
    const presence = new Promise<[PeerInfo, string]>((resolve) =>
      pubServer.events.on('presence', (p, id) => resolve([p, id])),
    );
    await page.evaluate(async (address) => {
      const client = window.brine.wsTransport().publishClient();
      await client.connect(address, { timeout: 5000, presence: async () => ({ id: 'browser-minion' }) });
      void (async () => {
        for await (const payload of client) window.reportPublish(Array.from(payload));
      })();
    }, pubAddress);
    expect((await presence)[1]).toBe('browser-minion');

    await pubServer.publish(new Uint8Array([1, 0xff]));
    await pubServer.publish(new Uint8Array([2, 0xff]), { topics: ['someone-else'] });
    await pubServer.publish(new Uint8Array([3, 0xff]), { topics: ['browser-minion'] });
    await pubServer.publish(new Uint8Array(70_000).fill(4)); // bin32 wrapper
    while (got.length < 3) await new Promise<void>((resolve) => (wake = resolve));
    expect(got.slice(0, 2)).toEqual([
      [1, 0xff],
      [3, 0xff],
    ]);
    expect(got[2]!.length).toBe(70_000);
    expect(got[2]!.every((b) => b === 4)).toBe(true);
  });
});

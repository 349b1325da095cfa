/**
 * The browser side: a Brine minion in a web page, over WebSocket, with the pure-JS node-forge
 * Salt suite (no node:crypto here) and an in-memory key store. Bundled by server.ts with esbuild.
 */
import { createMinion, MemoryKeyStore, type Minion } from '@brine/core';
import { createForgeSaltSuite } from '@brine/crypto/forge';
import { wsTransport } from '@brine/transport-ws/browser';

export interface BrowserMinionOptions {
  host: string;
  port: number;
  id: string;
}

export async function startBrowserMinion(options: BrowserMinionOptions, log: (line: string) => void): Promise<Minion> {
  const minion = createMinion(
    { id: options.id, transport: 'ws', master: options.host, master_port: options.port, acceptance_wait_time: 0.5 },
    { transports: [wsTransport()], suite: createForgeSaltSuite(), keyStore: new MemoryKeyStore() },
  );
  minion.events.on('auth', (t) => log(`auth: ${t.from} -> ${t.to}`));
  minion.events.on('job', (load) => log(`job ${String(load.jid)}: ${String(load.fun)}`));
  minion.functions.register('browser.info', () => ({
    userAgent: navigator.userAgent,
    url: location.href,
    language: navigator.language,
  }));
  minion.functions.register('browser.title', (args) => {
    if (typeof args[0] === 'string') document.title = args[0];
    return document.title;
  });
  log('generating an RSA key in JavaScript and signing in...');
  await minion.start();
  log(`signed in as ${options.id}`);
  return minion;
}

declare global {
  interface Window {
    brineStatus: string;
  }
}

const params = new URLSearchParams(location.search);
const out = document.getElementById('log');
const log = (line: string): void => {
  if (out) out.textContent += `${line}\n`;
};
window.brineStatus = 'starting';
startBrowserMinion(
  {
    host: params.get('host') ?? location.hostname,
    port: Number(params.get('port')),
    id: params.get('id') ?? 'browser',
  },
  log,
).then(
  () => (window.brineStatus = 'running'),
  (error: unknown) => {
    window.brineStatus = `failed: ${(error as Error).message}`;
    log(window.brineStatus);
  },
);

import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserExample, type BrowserExample } from './server.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

describe('example: a minion in a browser page over WebSocket (node-forge backend)', () => {
  let browser: Browser;
  let example: BrowserExample;

  beforeAll(async () => {
    example = await startBrowserExample();
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
  });
  afterAll(async () => {
    await browser?.close();
    await example?.close();
  });

  it('signs in from the page and answers jobs from the master', async () => {
    const page = await browser.newPage();
    const started = example.master.bus.next('salt/minion/page-1/start', { timeout: 110_000 });
    await page.goto(example.url('page-1'));
    await started;
    expect(await page.evaluate(() => window.brineStatus)).toBe('running');
    const ping = await example.master.run('page-1', 'test.ping', [], { timeoutSeconds: 10 });
    expect(ping.returns).toEqual({ 'page-1': true });
    const info = await example.master.run('page-1', 'browser.info', [], { timeoutSeconds: 10 });
    expect(String((info.returns['page-1'] as { userAgent: string }).userAgent)).toContain('Chrome');
    const title = await example.master.run('page-*', 'browser.title', ['set by the master']);
    expect(title.returns).toEqual({ 'page-1': 'set by the master' });
    expect(await page.title()).toBe('set by the master');
  }, 120_000);
});

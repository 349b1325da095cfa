import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startShop, type ShopApp } from './embedded-minion/app.js';
import { startExampleMaster } from './master-jobs/master.js';
import type { Master } from '@brine/core';

describe('examples', () => {
  let master: Master | undefined;
  let shop: ShopApp | undefined;
  afterEach(async () => {
    await shop?.close();
    await master?.close();
  });

  it('a master from code drives a minion embedded in an HTTP app', async () => {
    master = await startExampleMaster({ transport: 'tcp', pkiDir: mkdtempSync(join(tmpdir(), 'brine-ex-m-')) });
    const { request } = master.addresses;
    shop = await startShop({ masterPort: 'port' in request ? request.port : 0, transport: 'tcp' });
    expect((await master.keys.list()).accepted).toEqual(['shop']);

    await fetch(`http://127.0.0.1:${shop.httpPort}/order`);
    await fetch(`http://127.0.0.1:${shop.httpPort}/order`);
    const stats = await master.run('shop', 'app.stats', [], { timeoutSeconds: 10 });
    expect(stats.returns.shop).toMatchObject({ orders: 2, httpPort: shop.httpPort });

    expect((await master.run('sh*', 'app.reset')).returns).toEqual({ shop: true });
    const after = await master.run(['shop'], 'app.stats', [], { tgt_type: 'list' });
    expect(after.returns.shop).toMatchObject({ orders: 0 });

    const slow = await master.run('^sh.p$', 'app.slow', [20], { tgt_type: 'pcre' });
    expect(slow.returns).toEqual({ shop: 'slept 20 ms' });
    const missing = await master.run('shop', 'app.nope', []);
    expect(missing.details.shop).toMatchObject({ success: false, retcode: 254 });
  });
});

import { describe, expect, it } from 'vitest';
import { FunctionRegistry } from '@brine/core';
import { registerCmdModule } from '@brine/core/node';

describe('cmd module (opt-in)', () => {
  const functions = new FunctionRegistry();
  it('is absent until registered', () => {
    expect(functions.has('cmd.run')).toBe(false);
    registerCmdModule(functions);
    expect(functions.names()).toEqual(expect.arrayContaining(['cmd.retcode', 'cmd.run', 'cmd.run_all', 'cmd.shell']));
  });

  it('run merges stderr and sets the retcode; run_all keeps them apart; retcode returns it', async () => {
    const ctx = () => {
      const c = {
        jid: '1',
        id: 'm',
        signal: new AbortController().signal,
        code: -1,
        setRetcode: (n: number) => (c.code = n),
      };
      return c;
    };
    const a = ctx();
    expect(await functions.get('cmd.run')!(['echo out; echo err >&2; exit 3'], {}, a)).toBe('out\nerr');
    expect(a.code).toBe(3);
    const all = await functions.get('cmd.run_all')!(['echo out; echo err >&2'], {}, ctx());
    expect(all).toMatchObject({ retcode: 0, stdout: 'out', stderr: 'err' });
    expect(await functions.get('cmd.retcode')!(['exit 7'], {}, ctx())).toBe(7);
  });
});

/**
 * The minion's Salt-compatible function calls: argument binding and checks as salt/minion.py
 * load_args_and_kwargs plus Python's call rules, yamlify_arg for `name=value` strings, the
 * standard modules' answers, and a target the minion cannot evaluate answered at once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  ArgumentError,
  bindArgs,
  createMaster,
  createMinion,
  FunctionRegistry,
  MemoryKeyStore,
  pyRepr,
  pyTypeName,
  registerStandardModules,
  SALT_COMPAT_VERSION,
  yamlifyScalar,
  type Dict,
  type Master,
  type Minion,
} from '@brine/core';
import { createNodeSaltSuite } from '@brine/crypto/node';
import { tcpTransport } from '@brine/transport-tcp';

const pub = { fun: 'x.y', jid: '1', tgt: '*', tgt_type: 'glob', arg: [], ret: '', user: 'root' };

describe('bindArgs (load_args_and_kwargs + the Python call)', () => {
  it('no spec: everything passes through, no __pub_ kwargs', () => {
    expect(bindArgs('a.b', [1, 'k=v', { __kwarg__: true, x: 2 }], undefined, pub)).toEqual({
      args: [1, 'k=v'],
      kwargs: { x: 2 },
    });
  });

  it('positional count and missing arguments fail with Python TypeError texts', () => {
    const bad = (fun: string, arg: unknown[], spec: Parameters<typeof bindArgs>[2]) => {
      try {
        bindArgs(fun, arg, spec, pub);
      } catch (error) {
        expect(error).toBeInstanceOf(ArgumentError);
        return (error as ArgumentError).message;
      }
      return 'no error';
    };
    expect(bad('test.ping', ['extra'], { args: [] })).toBe('ping() takes 0 positional arguments but 1 was given');
    expect(bad('test.echo', ['a', 'b'], { args: ['text'] })).toBe(
      'echo() takes 1 positional argument but 2 were given',
    );
    expect(bad('test.echo', [], { args: ['text'] })).toBe("echo() missing 1 required positional argument: 'text'");
    expect(bad('test.rand_sleep', [1, 2], { args: ['max'], defaults: 1 })).toBe(
      'rand_sleep() takes from 0 to 1 positional arguments but 2 were given',
    );
    expect(bad('test.echo', ['a', 'text=b'], { args: ['text'] })).toBe(
      "echo() got multiple values for argument 'text'",
    );
    expect(bad('test.ping', ['x=1'], { args: [] })).toBe('The following keyword arguments are not valid: x=1');
  });

  it('name=value strings become (yamlified) kwargs when accepted; **kwargs also get the publish', () => {
    const out = bindArgs(
      'test.arg',
      ['a', 'n=42', 'flag=yes', 'text=hi there'],
      { varargs: true, keywords: true },
      pub,
    );
    expect(out.args).toEqual(['a']);
    expect(out.kwargs).toMatchObject({ n: 42, flag: true, text: 'hi there', __pub_fun: 'x.y', __pub_jid: '1' });
    expect(bindArgs('test.echo', ['text=5'], { args: ['text'] }, pub)).toEqual({ args: [], kwargs: { text: 5 } });
  });
});

describe('yamlifyScalar (yamlify_arg of PyYAML scalars)', () => {
  it.each([
    ['42', 42],
    ['-7', -7],
    ['0x1f', 31],
    ['1.5', 1.5],
    ['1e3', '1e3'],
    ['1_000', '1_000'],
    ['yes', true],
    ['Off', false],
    ['None', null],
    ['~', null],
    ["'quoted'", 'quoted'],
    ['[1, 2]', [1, 2]],
    ['{"a": 1}', { a: 1 }],
    ['a # comment', 'a # comment'],
    ['', ''],
    ['plain text', 'plain text'],
    ['99999999999999999999', '99999999999999999999'],
  ])('%j -> %j', (text, expected) => {
    expect(yamlifyScalar(text)).toEqual(expected);
  });
});

describe('standard modules', () => {
  const functions = new FunctionRegistry();
  const grains: Dict = { os: 'Debian', os_family: 'Debian', nested: { a: { b: 3 } }, roles: ['web'] };
  registerStandardModules({
    functions,
    grains: () => grains,
    refreshGrains: async () => {},
    pillar: () => ({}),
    refreshPillar: async () => {},
    brineVersion: '9.9.9',
  });
  const call = (name: string, args: unknown[] = [], kwargs: Dict = {}) => {
    let retcode = 0;
    const value = functions.get(name)!(args, kwargs, {
      jid: '1',
      id: 'm',
      signal: new AbortController().signal,
      setRetcode: (c) => (retcode = c),
    });
    return { value, retcode: () => retcode };
  };

  it('test.*', async () => {
    expect(call('test.version').value).toBe(SALT_COMPAT_VERSION);
    expect(String(call('test.versions_report').value)).toMatch(/^Salt Version:\n\s+Salt: 3008\.4\n/);
    expect(call('test.arg_type', [1, 1.5, 'a', null, [1], { a: 1 }, true], { k: 2 }).value).toEqual({
      args: [
        "<class 'int'>",
        "<class 'float'>",
        "<class 'str'>",
        "<class 'NoneType'>",
        "<class 'list'>",
        "<class 'dict'>",
        "<class 'bool'>",
      ],
      kwargs: { k: "<class 'int'>" },
    });
    expect(call('test.arg_repr', [1, 'a'], { k: null }).value).toEqual({ args: "(1, 'a')", kwargs: "{'k': None}" });
    expect(call('test.fib', [10]).value).toEqual([55, expect.any(Number)]);
    const rc = call('test.retcode', [3]);
    expect(rc.value).toBe(true);
    expect(rc.retcode()).toBe(3);
    expect(() => call('test.exception', ['boom'])).toThrow('boom');
    expect(await call('test.sleep', [0]).value).toBe(true);
    expect(call('test.true').value).toBe(true);
    expect(call('test.false').value).toBe(false);
  });

  it('grains.*, sys.*, saltutil.sync_*', () => {
    expect(call('grains.items').value).toBe(grains);
    expect(call('grains.get', ['nested:a:b']).value).toBe(3);
    expect(call('grains.get', ['missing', 'dflt']).value).toBe('dflt');
    expect(call('grains.get', ['nested|a', '', '|']).value).toEqual({ b: 3 });
    expect(call('grains.item', ['os', 'nope']).value).toEqual({ os: 'Debian', nope: '' });
    expect(call('grains.ls').value).toEqual(['nested', 'os', 'os_family', 'roles']);
    expect(call('grains.filter_by', [{ Debian: 'apt', default: 'yum' }]).value).toBe('apt');
    expect(call('sys.list_modules').value).toEqual(expect.arrayContaining(['grains', 'saltutil', 'sys', 'test']));
    expect((call('sys.doc', ['test.ping']).value as Dict)['test.ping']).toMatch(/Not an ICMP ping/);
    expect(call('saltutil.sync_all').value).toEqual({});
    expect(call('saltutil.sync_modules').value).toEqual([]);
  });

  it('pyRepr and pyTypeName follow Python', () => {
    expect(pyRepr({ a: [1, 'x', true, null] })).toBe("{'a': [1, 'x', True, None]}");
    expect(pyRepr("it's")).toBe('"it\'s"');
    expect(pyTypeName(2 ** 40)).toBe("<class 'int'>");
  });
});

describe('a target the minion cannot evaluate', () => {
  const open: Array<Master | Minion> = [];
  afterEach(async () => {
    for (const x of open.splice(0).reverse()) await x.close();
  });

  it('is declined at once with the reason (pillar unknown: the master did not answer _pillar)', async () => {
    const suite = createNodeSaltSuite();
    const master = createMaster(
      { transport: 'tcp', interface: '127.0.0.1', ret_port: 0, publish_port: 0, auto_accept: true },
      { transports: [tcpTransport()], suite, keyStore: new MemoryKeyStore() },
    );
    open.push(master);
    master.commands.register('_pillar', () => 'no pillar here', { replace: true });
    const { request } = await master.start();
    const minion = createMinion(
      { id: 'm1', transport: 'tcp', master: '127.0.0.1', master_port: 'port' in request ? request.port : 0 },
      { transports: [tcpTransport()], suite, keyStore: new MemoryKeyStore() },
    );
    open.push(minion);
    const declined = new Promise<string>((resolve) => minion.events.on('declined', (_load, why) => resolve(why)));
    await minion.start({ timeout: 20_000 });
    expect(minion.pillar).toBeUndefined();
    // The master believes m1 has the pillar (as a Salt master with an older cache would): it publishes.
    master.minionData.set('m1', { grains: { id: 'm1' }, pillar: { role: 'web' } });
    const started = Date.now();
    const result = await master.run('I@role:web or m2', 'test.ping', [], { tgt_type: 'compound', timeoutSeconds: 30 });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await declined).toMatch(/pillar/);
    expect(result.returns.m1).toMatch(/^Minion m1 cannot evaluate the target "I@role:web or m2": /);
    expect(result.details?.m1).toMatchObject({ success: false, retcode: 254 });
    // A target it can evaluate still runs.
    expect(
      (await master.run('m1 or I@role:web', 'test.ping', [], { tgt_type: 'compound', timeoutSeconds: 30 })).returns,
    ).toEqual({
      m1: true,
    });
  });
});

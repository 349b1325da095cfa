import { mkdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '@brine/contracts';
import { flagsToOverrides } from '../src/config/flags.js';
import { loadConfig } from '../src/config/load.js';
import { toLogLevel } from '../src/logging.js';
import { removeTempDirs, tempDir } from './helpers.js';

afterEach(removeTempDirs);

async function configDir(files: Record<string, string>): Promise<string> {
  const dir = await tempDir();
  for (const [name, text] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  return dir;
}

async function configError(promise: Promise<unknown>): Promise<ConfigError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

describe('loadConfig', () => {
  it('reads <dir>/master with Salt option names, YAML 1.1 booleans, and keeps unknown options', async () => {
    const dir = await configDir({
      master: [
        'transport: tcp',
        'interface: 127.0.0.1',
        'publish_port: 14505',
        'ret_port: 14506',
        'auto_accept: yes', // PyYAML reads yes as True
        'pki_dir: /srv/pki',
        'worker_threads: 0',
        'file_roots: {base: [/srv/salt]}',
      ].join('\n'),
    });
    const { config, files, notes } = await loadConfig('master', { configDir: dir });
    expect(config.transport).toBe('tcp');
    expect(config.interface).toBe('127.0.0.1');
    expect(config.publish_port).toBe(14505);
    expect(config.ret_port).toBe(14506);
    expect(config.auto_accept).toBe(true);
    expect(config.pki_dir).toBe('/srv/pki');
    expect(config.file_roots).toEqual({ base: ['/srv/salt'] });
    // Salt's defaults fill the rest
    expect(config.timeout).toBe(5);
    expect(config.rotate_aes_key).toBe(true);
    expect(files).toEqual([join(dir, 'master')]);
    expect(notes).toContain(`Reading configuration from ${join(dir, 'master')}`);
  });

  it('uses the defaults when <dir>/<role> is missing, and says so', async () => {
    const dir = await tempDir();
    const { config, notes } = await loadConfig('master', { configDir: dir });
    expect(config.transport).toBe('zeromq');
    expect(config.publish_port).toBe(4505);
    expect(notes).toEqual([`Missing configuration file: ${join(dir, 'master')}`]);
  });

  it('refuses a --config file that does not exist', async () => {
    const dir = await tempDir();
    const error = await configError(loadConfig('master', { configFile: join(dir, 'nope') }));
    expect(error.code).toBe('ERR_CONFIG');
    expect(error.message).toContain('does not exist');
  });

  it('merges <role>.d/*.conf includes in order, then flags on top', async () => {
    const dir = await configDir({
      minion: 'id: from-file\nmaster: salt.example\ntransport: tcp\n',
      'minion.d/10-port.conf': 'master_port: 14506\nlog_level: info\n',
      'minion.d/20-master.conf': 'master: 10.0.0.1\n',
      'minion.d/ignored.txt': 'master: never\n',
    });
    const { config, files, notes } = await loadConfig('minion', {
      configDir: dir,
      overrides: flagsToOverrides({ id: 'from-flag', transport: 'ws', 'log-level': 'debug', 'pki-dir': '/tmp/pki' }),
    });
    expect(config.id).toBe('from-flag');
    expect(config.master).toBe('10.0.0.1');
    expect(config.master_port).toBe(14506);
    expect(config.transport).toBe('ws');
    expect(config.log_level).toBe('debug');
    expect(config.pki_dir).toBe('/tmp/pki');
    expect(files.map((f) => f.slice(dir.length))).toEqual([
      '/minion',
      '/minion.d/10-port.conf',
      '/minion.d/20-master.conf',
    ]);
    expect(notes).toContain(`Including configuration from '${join(dir, 'minion.d/10-port.conf')}'`);
  });

  it('maps port flags to numbers and checks them', () => {
    expect(flagsToOverrides({ 'publish-port': '0', 'ret-port': '4506', 'master-port': '14506' })).toEqual({
      publish_port: 0,
      ret_port: 4506,
      master_port: 14506,
    });
    expect(() => flagsToOverrides({ 'ret-port': 'abc' })).toThrow(/--ret-port must be an integer/);
    expect(() => flagsToOverrides({ 'ret-port': '70000' })).toThrow(/port number/);
  });

  it('puts every path under root_dir, defaults included', async () => {
    const dir = await configDir({ master: 'root_dir: /srv/brine\npki_dir: /etc/salt/pki/master\ncachedir: cache\n' });
    const { config } = await loadConfig('master', { configDir: dir });
    expect(config.pki_dir).toBe('/srv/brine/etc/salt/pki/master');
    expect(config.cachedir).toBe('/srv/brine/cache');
    expect(config.sock_dir).toBe('/srv/brine/var/run/salt/master');
  });

  it('bad YAML is ERR_CONFIG naming the file and line', async () => {
    const dir = await configDir({ master: 'transport: tcp\npublish_port: [4505\n' });
    const error = await configError(loadConfig('master', { configDir: dir }));
    expect(error.code).toBe('ERR_CONFIG');
    expect(error.message).toMatch(new RegExp(`Bad YAML in ${join(dir, 'master')}, line \\d+, column \\d+`));
  });

  it('a config that is not a mapping is ERR_CONFIG', async () => {
    const dir = await configDir({ master: '- transport\n- tcp\n' });
    expect((await configError(loadConfig('master', { configDir: dir }))).message).toContain('mapping');
  });

  it.each([
    ['publish_port: "4505"', /publish_port must be a number/],
    ['transport: "UDP over carrier pigeon"', /transport must be one of zeromq, tcp, ws or a package name/],
    ['log_level: loud', /log_level must be one of/],
    ['crypto: "rot 13"', /crypto must be one of salt, nacl, salt-forge, nacl-tweetnacl or a package name/],
    ['auto_accept: maybe', /auto_accept must be a boolean/],
  ])('bad value %s is ERR_CONFIG', async (line, message) => {
    const dir = await configDir({ master: `${line}\n` });
    const error = await configError(loadConfig('master', { configDir: dir }));
    expect(error.code).toBe('ERR_CONFIG');
    expect(error.message).toMatch(message);
  });

  it('a minion id comes from the file or --id, else the minion_id file, else the host name (Salt get_id)', async () => {
    const dir = await configDir({ minion: 'master: 127.0.0.1\n' });
    expect((await loadConfig('minion', { configDir: dir })).config.id).toBe(hostname());
    await writeFile(join(dir, 'minion_id'), 'cached-id\n');
    expect((await loadConfig('minion', { configDir: dir })).config.id).toBe('cached-id');
    const { config } = await loadConfig('minion', { configDir: dir, overrides: { id: 'web1' } });
    expect(config.id).toBe('web1');
    expect(config.master).toBe('127.0.0.1');
    expect(config.master_port).toBe(4506);
  });
});

describe('config checks', () => {
  it('a misspelled option is a warning with a suggestion; a Salt option Brine ignores is a debug note', async () => {
    const dir = await configDir({
      master: 'publsh_port: 4510\nauto_acept: true\nfile_roots: {base: [/srv/salt]}\n',
      'master.d/extra.conf': 'timeout: 9\n',
    });
    const loaded = await loadConfig('master', { configDir: dir, overrides: { ret_prot: 4511 } });
    expect(loaded.warnings).toEqual([
      `Unknown option 'publsh_port' in ${join(dir, 'master')}: did you mean 'publish_port'?`,
      `Unknown option 'auto_acept' in ${join(dir, 'master')}: did you mean 'auto_accept'?`,
      "Unknown option 'ret_prot' in the command line: did you mean 'ret_port'?",
    ]);
    expect(loaded.notes).toContain(`Option 'file_roots' in ${join(dir, 'master')} is not used by Brine`);
    expect(loaded.config.timeout).toBe(9);
  });

  it.each([
    ['publish_port: 70000', 'publish_port must be an integer from 0 to 65535, got 70000'],
    ['ret_port: -1', 'ret_port must be an integer from 0 to 65535, got -1'],
    ['timeout: -5', 'timeout must be a number of at least 0, got -5'],
    ['publish_port: 4505.5', 'publish_port must be an integer from 0 to 65535, got 4505.5'],
  ])('%s is one ERR_CONFIG line naming the option and the file', async (line, message) => {
    const dir = await configDir({ 'master.d/ports.conf': `${line}\n`, master: 'transport: tcp\n' });
    const error = await configError(loadConfig('master', { configDir: dir }));
    expect(error.code).toBe('ERR_CONFIG');
    expect(error.message).toBe(`${message} (in ${join(dir, 'master.d/ports.conf')})`);
  });

  it('a wrong type names the file that set it', async () => {
    const dir = await configDir({ master: 'auto_accept: maybe\n' });
    const error = await configError(loadConfig('master', { configDir: dir }));
    expect(error.message).toContain('auto_accept');
    expect(error.message).toContain(`(in ${join(dir, 'master')})`);
  });
});

describe('log levels', () => {
  it("takes Salt's level names", () => {
    expect(toLogLevel('garbage')).toBe('trace');
    expect(toLogLevel('DEBUG')).toBe('debug');
    expect(toLogLevel('profile')).toBe('debug');
    expect(toLogLevel('warning')).toBe('warning');
    expect(toLogLevel('quiet')).toBe('quiet');
    expect(() => toLogLevel('verbose')).toThrow(ConfigError);
  });
});

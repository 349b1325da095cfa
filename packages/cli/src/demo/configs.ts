import { join } from 'node:path';
import type { LogLevel } from '@brine/contracts';
import type { MasterConfig, MinionConfig } from '@brine/core';

export interface DemoDaemonOptions {
  transport: string;
  crypto: string;
  logLevel: LogLevel;
}

/** Fast sign-in and reconnects: everything is on loopback. */
const FAST: Partial<MinionConfig> = {
  acceptance_wait_time: 0.2,
  acceptance_wait_time_max: 0,
  recon_default: 100,
  recon_max: 1000,
  recon_randomize: false,
  auth_timeout: 5,
  request_channel_timeout: 10,
  return_retry_timer: 2,
};

/** The demo master: 127.0.0.1, ports chosen by the system, its pki dir under `root`. */
export function demoMasterConfig(root: string, o: DemoDaemonOptions): Partial<MasterConfig> {
  return {
    id: 'master',
    transport: o.transport,
    crypto: o.crypto,
    interface: '127.0.0.1',
    publish_port: 0,
    ret_port: 0,
    pki_dir: join(root, 'master', 'pki'),
    cachedir: join(root, 'master', 'cache'),
    sock_dir: join(root, 'master', 'sock'),
    timeout: 10,
    log_level: o.logLevel,
  };
}

/** A demo minion pointed at the master's request port; its pki dir under `root/<id>`. */
export function demoMinionConfig(
  root: string,
  id: string,
  masterPort: number,
  o: DemoDaemonOptions,
): Partial<MinionConfig> {
  return {
    id,
    transport: o.transport,
    crypto: o.crypto,
    master: '127.0.0.1',
    master_port: masterPort,
    pki_dir: join(root, id, 'pki'),
    cachedir: join(root, id, 'cache'),
    sock_dir: join(root, id, 'sock'),
    log_level: o.logLevel,
    ...FAST,
  };
}

import { ConfigError, ErrorCodes } from '@brine/contracts';
import type { RoleFactory } from './protocol.js';

/** Role name → its factory, imported lazily so each process loads only what it plays. */
const ROLES: Record<string, () => Promise<RoleFactory>> = {
  'reqrep-server': async () => (await import('../scenarios/reqrep-roles.js')).startReqRepServer as RoleFactory,
  'reqrep-client': async () => (await import('../scenarios/reqrep-roles.js')).startReqRepClient as RoleFactory,
  'pub-server': async () => (await import('../scenarios/pubsub-roles.js')).startPubServer as RoleFactory,
  subscribers: async () => (await import('../scenarios/pubsub-roles.js')).startSubscribers as RoleFactory,
  'auth-client': async () => (await import('../scenarios/auth-roles.js')).startAuthClient as RoleFactory,
  'brine-master': async () => (await import('../scenarios/salt-roles.js')).startBrineMaster as RoleFactory,
  'swarm-master': async () => (await import('../swarm/master-role.js')).startSwarmMaster as RoleFactory,
  'swarm-minions': async () => (await import('../swarm/minions-role.js')).startSwarmMinions as RoleFactory,
  minions: async () => (await import('../scenarios/salt-roles.js')).startMinions as RoleFactory,
};

export function loadRole(name: string): Promise<RoleFactory> {
  const load = ROLES[name];
  if (!load) throw new ConfigError(ErrorCodes.INVALID_ARGUMENT, `unknown bench role '${name}'`);
  return load();
}

import type { KeyFingers, KeyList, KeyState } from '@brine/core';

/** Salt's key folder names: `salt-key --out json` and the key outputter use them. */
export const SALT_KEY_DIRS: Readonly<Record<KeyState | 'local', string>> = {
  accepted: 'minions',
  pending: 'minions_pre',
  rejected: 'minions_rejected',
  denied: 'minions_denied',
  local: 'local',
};

const TITLES: Readonly<Record<string, string>> = {
  minions: 'Accepted Keys:',
  minions_pre: 'Unaccepted Keys:',
  minions_rejected: 'Rejected Keys:',
  minions_denied: 'Denied Keys:',
  local: 'Local Keys:',
};

export type SaltKeyData = Record<string, string[] | Record<string, string>>;

/** A KeyList/KeyFingers by Brine state as salt-key's dict by folder name. */
export function toSaltKeyData(data: Partial<KeyList> | KeyFingers): SaltKeyData {
  const out: SaltKeyData = {};
  for (const [state, value] of Object.entries(data)) {
    if (value !== undefined) out[SALT_KEY_DIRS[state as KeyState | 'local']] = value;
  }
  return out;
}

/**
 * Salt's `key` outputter, without colours: sections in sorted folder order (Accepted, Denied,
 * Unaccepted, Rejected; Local first), ids sorted, fingerprints as `id:  finger`.
 */
export function formatKeys(data: SaltKeyData): string {
  const lines: string[] = [];
  for (const status of Object.keys(data).sort()) {
    lines.push(TITLES[status] ?? `${status}:`);
    const value = data[status]!;
    if (Array.isArray(value)) for (const id of [...value].sort()) lines.push(id);
    else for (const id of Object.keys(value).sort()) lines.push(`${id}:  ${value[id]}`);
  }
  return lines.join('\n');
}

/** Salt's `tagify`: `salt/<prefix>/<suffix...>`. */
export const tags = {
  auth: 'salt/auth',
  key: 'salt/key',
  rotate: 'key',
  jobNew: (jid: string) => `salt/job/${jid}/new`,
  jobReturn: (jid: string, id: string) => `salt/job/${jid}/ret/${id}`,
  minionStart: (id: string) => `salt/minion/${id}/start`,
  /** Salt's legacy start tag (`enable_legacy_startup_events`). */
  legacyMinionStart: 'minion_start',
  presence: 'salt/presence/change',
} as const;

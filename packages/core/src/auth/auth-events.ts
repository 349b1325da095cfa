/** What a `salt/auth` event carries (Salt's `auth_events`). */
export interface AuthEvent {
  result: boolean;
  act: 'accept' | 'pend' | 'reject' | 'denied' | 'full' | 'error';
  id: string;
  pub: string;
}

export const AUTH_EVENT_TAG = 'salt/auth';

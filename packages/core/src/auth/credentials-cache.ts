import type { AuthCredentials } from './credentials.js';

/**
 * Salt's `AsyncAuth.creds_map`: credentials by (pki_dir, id, master_uri). An AsyncAuth starts from
 * the cached credentials when it has some, so a second channel or minion instance for the same
 * identity does not sign in again. One cache per container tree (register it in a parent container
 * to share it between minions); never process-wide.
 */
export class CredentialsCache {
  private readonly entries = new Map<string, AuthCredentials>();

  static key(pkiDir: string, id: string, masterUri: string): string {
    return JSON.stringify([pkiDir, id, masterUri]);
  }

  get(key: string): AuthCredentials | undefined {
    return this.entries.get(key);
  }

  set(key: string, creds: AuthCredentials): void {
    this.entries.set(key, creds);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}

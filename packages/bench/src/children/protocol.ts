/** Messages between the orchestrator and a forked bench process (IPC, advanced serialization). */

export interface CallMessage {
  id: number;
  op: string;
  args?: unknown;
}

export interface ErrorData {
  name: string;
  code: string;
  message: string;
}

export type ReplyMessage = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: ErrorData };

/** What a role implements in the child: named operations, and how to shut down. */
export interface Role {
  ops: Record<string, (args: never) => Promise<unknown> | unknown>;
  close(): Promise<void>;
}

/** Builds a role from its spec; resolves with the role and the info returned to `init` (e.g. a port). */
export type RoleFactory = (spec: never) => Promise<{ role: Role; info: unknown }>;

export function isCallMessage(value: unknown): value is CallMessage {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Record<string, unknown>;
  return typeof m.id === 'number' && typeof m.op === 'string';
}

export function isReplyMessage(value: unknown): value is ReplyMessage {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Record<string, unknown>;
  return typeof m.id === 'number' && typeof m.ok === 'boolean';
}

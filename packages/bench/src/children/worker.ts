/**
 * Entry of every forked bench process. The first call is `init` with a role name and its spec;
 * then the orchestrator calls the role's operations, `cpu` (a CPU snapshot), and `reset` (close the
 * role; another `init` follows) or `stop`. The process exits when the orchestrator disconnects or dies.
 */
import { ErrorCodes, toBrineError } from '@brine/contracts';
import { cpuSnapshot } from '../cpu.js';
import { isCallMessage, type CallMessage, type ReplyMessage, type Role } from './protocol.js';
import { preloadTransports } from '../transports.js';
import { loadRole } from './roles.js';

let role: Role | undefined;
let stopping = false;

function reply(message: ReplyMessage): void {
  if (process.connected) process.send!(message);
}

async function shutdown(code = 0): Promise<never> {
  if (!stopping) {
    stopping = true;
    try {
      await role?.close();
    } catch {
      // exiting anyway
    }
  }
  process.exit(code);
}

async function handle(message: CallMessage): Promise<unknown> {
  if (message.op === 'init') {
    const { role: name, spec } = message.args as { role: string; spec: unknown };
    if (role) throw toBrineError(new Error('this process already plays a role'), ErrorCodes.INVALID_ARGUMENT);
    await preloadTransports();
    const factory = await loadRole(name);
    const built = await factory(spec as never);
    role = built.role;
    return built.info;
  }
  if (message.op === 'cpu') return cpuSnapshot();
  if (message.op === 'reset') {
    // The orchestrator keeps this process for another role: close this one, start from a clean heap.
    const closing = role;
    role = undefined;
    await closing?.close();
    (globalThis as { gc?: () => void }).gc?.();
    return true;
  }
  if (message.op === 'stop') {
    setImmediate(() => void shutdown(0));
    return true;
  }
  const op = role?.ops[message.op];
  if (!op) throw toBrineError(new Error(`unknown operation '${message.op}'`), ErrorCodes.INVALID_ARGUMENT);
  return op(message.args as never);
}

/** The message and its causes: "failed after 1 attempts: accept reply has no valid publish_port". */
function describe(error: Error): string {
  const parts = [error.message];
  let cause: unknown = error.cause;
  for (let depth = 0; cause instanceof Error && depth < 4; depth++) {
    if (!parts.includes(cause.message)) parts.push(cause.message);
    cause = cause.cause;
  }
  return parts.join(': ');
}

process.on('message', (message: unknown) => {
  if (!isCallMessage(message)) return;
  handle(message).then(
    (value) => reply({ id: message.id, ok: true, value }),
    (error: unknown) => {
      const typed = toBrineError(error, ErrorCodes.REMOTE);
      reply({ id: message.id, ok: false, error: { name: typed.name, code: typed.code, message: describe(typed) } });
    },
  );
});
process.on('disconnect', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

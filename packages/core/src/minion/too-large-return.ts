import type { BrineError } from '@brine/contracts';
import type { Dict } from '../protocol/values.js';

/**
 * The `_return` a minion sends in place of one whose request is over `max_message_size` (the
 * request client refused it, `error.details.size` its encoded size when known), in Salt's shape for
 * a failed job: `return` an error string, `success: false`, `retcode: 1`. It keeps the job's
 * identity (`id`, `jid`, `fun`, `user`, `_stamp`) and drops its data (`fun_args` too: they may be
 * what made it large).
 */
export function tooLargeReturn(load: Dict, error: BrineError, maxMessageSize: number): Dict {
  const size = typeof error.details?.size === 'number' ? error.details.size : undefined;
  const what = size === undefined ? 'The return' : `The return of ${size} bytes`;
  const out: Dict = {
    cmd: '_return',
    id: load.id,
    jid: load.jid,
    fun: load.fun,
    fun_args: [],
    success: false,
    retcode: 1,
    return: `${what} exceeds max_message_size (${maxMessageSize} bytes) and was not sent`,
  };
  if (typeof load.user === 'string') out.user = load.user;
  if (load._stamp !== undefined) out._stamp = load._stamp;
  return out;
}
